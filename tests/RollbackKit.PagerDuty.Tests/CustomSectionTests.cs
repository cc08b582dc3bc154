using RollbackKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.PagerDuty.Tests;

public sealed class CustomSectionTests
{
    [Fact]
    public void AddPagerDuty_UnderCustomRollbackKitSection_NamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:PagerDuty:RetryDelay"] = "00:00:00", ["RollbackKit:PagerDuty:RoutingKey"] = "ignored" },
            static (b, _) => b.AddPagerDuty());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PagerDutyOptions>>().Value);

        Assert.Contains("MyApp:Rollback:PagerDuty:RoutingKey (escalations) or MyApp:Rollback:PagerDuty:WebhookSecrets (incident webhooks) must be set.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MyApp:Rollback:PagerDuty:RetryDelay must be positive.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RollbackKit:PagerDuty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPagerDuty_GivenSection_BindsAndNamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["OnCall:Pd:RoutingKey"] = "key", ["OnCall:Pd:ServiceTargets:PSVC01"] = "" },
            static (b, c) => b.AddPagerDuty(c.GetSection("OnCall:Pd")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PagerDutyOptions>>().Value);

        Assert.Contains("OnCall:Pd:ServiceTargets:PSVC01 must name a target id.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPagerDuty_UnderCustomRollbackKitSection_BindsValues()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:PagerDuty:RoutingKey"] = "key", ["MyApp:Rollback:PagerDuty:Source"] = "deployer" },
            static (b, _) => b.AddPagerDuty());

        var options = provider.GetRequiredService<IOptions<PagerDutyOptions>>().Value;

        Assert.Equal("key", options.RoutingKey);
        Assert.Equal("deployer", options.Source);
    }
}
