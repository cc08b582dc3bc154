using RollbackKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Prometheus.Tests;

public sealed class CustomSectionTests
{
    [Fact]
    public void AddPrometheus_UnderCustomRollbackKitSection_BindsAndNamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Prometheus:SourceName"] = "metrics", ["RollbackKit:Prometheus:BaseAddress"] = "http://127.0.0.1:9090" },
            static (b, _) => b.AddPrometheus());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PrometheusOptions>>().Value);

        Assert.Contains("MyApp:Rollback:Prometheus:BaseAddress: required", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RollbackKit:Prometheus", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrometheus_UnderCustomRollbackKitSection_BindsValues()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Prometheus:BaseAddress"] = "http://127.0.0.1:9090", ["MyApp:Rollback:Prometheus:SourceName"] = "metrics" },
            static (b, _) => b.AddPrometheus());

        var options = provider.GetRequiredService<IOptions<PrometheusOptions>>().Value;

        Assert.Equal(new Uri("http://127.0.0.1:9090"), options.BaseAddress);
        Assert.Equal("metrics", options.SourceName);
    }

    [Fact]
    public void AddAlertmanagerSignals_UnderCustomRollbackKitSection_NamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Alertmanager:MaxRememberedFingerprints"] = "0" },
            static (b, _) => b.AddAlertmanagerSignals());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlertmanagerSignalOptions>>().Value);

        Assert.Contains("MyApp:Rollback:Alertmanager:MaxRememberedFingerprints: must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlertmanagerSignals_GivenSection_NamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["Ops:Am:MaxRememberedFingerprints"] = "0" },
            static (b, c) => b.AddAlertmanagerSignals(c.GetSection("Ops:Am")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlertmanagerSignalOptions>>().Value);

        Assert.Contains("Ops:Am:MaxRememberedFingerprints: must be at least 1", ex.Message, StringComparison.Ordinal);
    }
}
