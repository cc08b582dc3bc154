using RollbackKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.AspNetCore;

namespace RollbackKit.AspNetCore.Tests.Hosting;

/// <summary>The AspNetCore package's options follow the same style as every adapter's.</summary>
public sealed class AspNetCoreCustomSectionTests
{
    [Fact]
    public void AddPolicyBreachWebhook_UnderCustomRollbackKitSection_NamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:PolicyBreach:SignatureHeader"] = " ", ["RollbackKit:PolicyBreach:Secret"] = "ignored" },
            static (b, _) => b.AddPolicyBreachWebhook());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PolicyBreachOptions>>().Value);

        Assert.Contains("MyApp:Rollback:PolicyBreach:Secret must be set.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MyApp:Rollback:PolicyBreach:SignatureHeader must not be empty.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWebhookEndpoints_UnderCustomRollbackKitSection_BindsAndNamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Webhooks:MaxBodyBytes"] = "0" },
            static (b, _) => b.AddWebhookEndpoints());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RollbackKitWebhookOptions>>().Value);

        Assert.Contains("MyApp:Rollback:Webhooks:MaxBodyBytes must be positive.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPolicyBreachWebhook_GivenSection_BindsAndNamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["Ingress:Policy:Secret"] = "s3cret", ["Ingress:Policy:SignatureHeader"] = "" },
            static (b, c) => b.AddPolicyBreachWebhook(c.GetSection("Ingress:Policy")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PolicyBreachOptions>>().Value);

        Assert.Contains("Ingress:Policy:SignatureHeader must not be empty.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret must be set", ex.Message, StringComparison.Ordinal);
    }
}
