using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NSubstitute;
using RollbackKit.Metrics;
using RollbackKit.Webhooks;

namespace RollbackKit.Prometheus.Tests;

public sealed class PrometheusRollbackKitBuilderExtensionsTests
{
    private static ServiceProvider Build(Action<IServiceCollection> configure, Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build());
        configure(services);
        return services.BuildServiceProvider();
    }

    private static void ValidateOnStart(IServiceProvider provider) => provider.GetRequiredService<IStartupValidator>().Validate();

    [Fact]
    public void AddPrometheus_MissingBaseAddress_FailsAtStartNamingKeyPath()
    {
        using var provider = Build(s => s.AddRollbackKit().AddPrometheus(_ => { }));

        var ex = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Contains("RollbackKit:Prometheus:BaseAddress: required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrometheus_ConfigurationSection_BindsAndValidatesWithSectionPath()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Monitoring:Prom:BaseAddress"] = "ftp://example",
            ["Monitoring:Prom:Interval"] = "five minutes",
            ["Monitoring:Prom:Username"] = "reader",
            ["Monitoring:Prom:MaxConcurrency"] = "0",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = Build(s => s.AddRollbackKit().AddPrometheus(configuration.GetSection("Monitoring:Prom")));

        var ex = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Contains("Monitoring:Prom:BaseAddress: must be an absolute http:// or https:// URI", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Monitoring:Prom:Interval: must be a PromQL duration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Monitoring:Prom:Password: required when Username is set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Monitoring:Prom:MaxConcurrency: must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrometheus_DefaultSectionFromConfiguration_IsBound()
    {
        var settings = new Dictionary<string, string?>
        {
            ["RollbackKit:Prometheus:BaseAddress"] = "http://127.0.0.1:9090",
            ["RollbackKit:Prometheus:Interval"] = "2m",
            ["RollbackKit:Prometheus:Headers:X-Scope-OrgID"] = "tenant-a",
        };
        using var provider = Build(s => s.AddRollbackKit().AddPrometheus(o => o.MaxRetries = 4), settings);

        ValidateOnStart(provider);
        var options = provider.GetRequiredService<IOptions<PrometheusOptions>>().Value;

        Assert.Equal(new Uri("http://127.0.0.1:9090"), options.BaseAddress);
        Assert.Equal("2m", options.Interval);
        Assert.Equal(4, options.MaxRetries);
        Assert.Equal("tenant-a", options.Headers["X-Scope-OrgID"]);
    }

    [Fact]
    public void AddPrometheus_CredentialsInBaseAddressOrBothSchemes_AreRejected()
    {
        using var provider = Build(s => s.AddRollbackKit().AddPrometheus(o =>
        {
            o.BaseAddress = new Uri("http://user:pw@127.0.0.1:9090");
            o.BearerToken = "t";
            o.Username = "u";
            o.Password = "p";
            o.CaFile = "/nonexistent/ca.pem";
        }));

        var ex = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Contains("RollbackKit:Prometheus:BaseAddress: must not contain credentials", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Prometheus:BearerToken: cannot be combined", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Prometheus:CaFile: file not found", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", ex.Message.Replace("password", string.Empty, StringComparison.OrdinalIgnoreCase), StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrometheus_CalledTwiceWithOtherSource_RegistersOneSourceBesideTheOther()
    {
        var other = NSubstitute.Substitute.For<IMetricSource>();
        other.Name.Returns("other");
        using var provider = Build(s =>
        {
            s.AddSingleton(other);
            s.AddRollbackKit().AddPrometheus(o => o.BaseAddress = new Uri("http://127.0.0.1:9090"));
            s.AddRollbackKit().AddPrometheus(o => o.SourceName = "prom");
        });

        var sources = provider.GetServices<IMetricSource>().ToList();

        Assert.Equal(2, sources.Count);
        Assert.Contains(sources, s => s.Name == "prom");
        Assert.Contains(sources, s => s.Name == "other");
    }

    [Fact]
    public void ToString_WithSecrets_RedactsThem()
    {
        var options = new PrometheusOptions
        {
            BaseAddress = new Uri("http://127.0.0.1:9090"),
            BearerToken = "bearer-secret",
            Username = "reader",
            Password = "password-secret",
            Headers = { ["X-Api-Key"] = "header-secret" },
        };
        var alertmanager = new AlertmanagerSignalOptions { BearerToken = "webhook-secret" };

        var text = options + " " + alertmanager;

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.Contains("X-Api-Key", text, StringComparison.Ordinal);
        Assert.Contains("reader", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlertmanagerSignals_RegistersHandlerNamedAlertmanager()
    {
        using var provider = Build(s =>
        {
            s.AddSingleton(NSubstitute.Substitute.For<Dispatch.IRollbackDispatcher>());
            s.AddRollbackKit().AddAlertmanagerSignals(o =>
            {
                o.SeverityLabel = "priority";
                o.BearerToken = "token";
            });
        });

        ValidateOnStart(provider);
        var handler = Assert.Single(provider.GetServices<IInboundWebhookHandler>());

        Assert.Equal("alertmanager", handler.Name);
        Assert.Equal("priority", provider.GetRequiredService<IOptions<AlertmanagerSignalOptions>>().Value.SeverityLabel);
    }

    [Fact]
    public void AddAlertmanagerSignals_InvalidOptions_FailAtStartNamingKeyPath()
    {
        using var provider = Build(s => s.AddRollbackKit().AddAlertmanagerSignals(o =>
        {
            o.SeverityLabel = " ";
            o.MaxRememberedFingerprints = 0;
        }));

        var ex = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Contains("RollbackKit:Alertmanager:SeverityLabel: required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Alertmanager:MaxRememberedFingerprints: must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlertmanagerSignals_NeitherCredentialsNorAllowAnonymous_FailsAtStartNamingKeyPath()
    {
        using var provider = Build(s => s.AddRollbackKit().AddAlertmanagerSignals());

        var ex = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Contains("RollbackKit:Alertmanager:BearerToken", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Alertmanager:Username", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Alertmanager:AllowAnonymous", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("am", null, "RollbackKit:Alertmanager:Password")]
    [InlineData(null, "pw", "RollbackKit:Alertmanager:Username")]
    [InlineData("a:m", "pw", "RollbackKit:Alertmanager:Username")]
    public void AddAlertmanagerSignals_HalfOrInvalidBasicAuth_FailsAtStartNamingKeyPath(string? user, string? password, string expected)
    {
        using var provider = Build(s => s.AddRollbackKit().AddAlertmanagerSignals(o =>
        {
            o.Username = user;
            o.Password = password;
        }));

        var ex = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", ex.Message.Replace("Password", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAlertmanagerSignals_AllowAnonymous_StartsAndLogsAWarning()
    {
        using var provider = Build(s =>
        {
            s.AddFakeLogging();
            s.AddRollbackKit().AddAlertmanagerSignals(o => o.AllowAnonymous = true);
        });

        ValidateOnStart(provider);
        foreach (var service in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            if (service.GetType().Namespace?.StartsWith("RollbackKit.Prometheus", StringComparison.Ordinal) == true)
            {
                await service.StartAsync(CancellationToken.None);
            }
        }

        var warning = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("RollbackKit:Alertmanager:AllowAnonymous", warning.Message, StringComparison.Ordinal);
        Assert.Contains("without credentials", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAlertmanagerSignals_WithCredentials_StartsWithoutWarning()
    {
        using var provider = Build(s =>
        {
            s.AddFakeLogging();
            s.AddRollbackKit().AddAlertmanagerSignals(o => o.BearerToken = "token");
        });

        ValidateOnStart(provider);
        foreach (var service in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            if (service.GetType().Namespace?.StartsWith("RollbackKit.Prometheus", StringComparison.Ordinal) == true)
            {
                await service.StartAsync(CancellationToken.None);
            }
        }

        Assert.DoesNotContain(provider.GetFakeLogCollector().GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
