using RollbackKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Helm.Tests;

public sealed class CustomSectionTests
{
    [Fact]
    public void AddHelm_UnderCustomRollbackKitSection_BindsAndNamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Helm:HelmPath"] = "/x/helm", ["MyApp:Rollback:Helm:KubeContext"] = "prod" },
            static (b, _) => b.AddHelm());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("MyApp:Rollback:Helm:HelmPath: helm binary not found at '/x/helm'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RollbackKit:Helm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddHelm_GivenSection_NamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["Deployer:Helm:HelmPath"] = "/x/helm" },
            static (b, c) => b.AddHelm(c.GetSection("Deployer:Helm")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HelmOptions>>().Value);

        Assert.Contains("Deployer:Helm:HelmPath: helm binary not found at '/x/helm'", ex.Message, StringComparison.Ordinal);
    }
}
