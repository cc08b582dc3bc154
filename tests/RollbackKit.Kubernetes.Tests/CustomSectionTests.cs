using RollbackKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Kubernetes.Tests;

public sealed class CustomSectionTests
{
    [Fact]
    public void AddKubernetes_UnderCustomRollbackKitSection_BindsAndNamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Kubernetes:RequestTimeout"] = "-00:00:01", ["MyApp:Rollback:Kubernetes:DefaultNamespace"] = "payments" },
            static (b, _) => b.AddKubernetes());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesOptions>>().Value);

        Assert.Contains("MyApp:Rollback:Kubernetes:RequestTimeout must be positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddKubernetes_UnderCustomRollbackKitSection_BindsValues()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Kubernetes:DefaultNamespace"] = "payments", ["RollbackKit:Kubernetes:DefaultNamespace"] = "ignored" },
            static (b, _) => b.AddKubernetes());

        Assert.Equal("payments", provider.GetRequiredService<IOptions<KubernetesOptions>>().Value.DefaultNamespace);
    }

    [Fact]
    public void AddKubernetesLeaseLock_UnderCustomRollbackKitSection_NamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Kubernetes:LeaseLock:RenewInterval"] = "01:00:00" },
            static (b, _) => b.AddKubernetesLeaseLock());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesLeaseLockOptions>>().Value);

        Assert.Contains("MyApp:Rollback:Kubernetes:LeaseLock: LeaseDuration must be greater than RenewInterval", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddKubernetesLeaderElection_GivenSection_NamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["Cluster:Election:RetryPeriod"] = "01:00:00" },
            static (b, c) => b.AddKubernetesLeaderElection(c.GetSection("Cluster:Election")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesLeaderElectionOptions>>().Value);

        Assert.Contains("Cluster:Election: LeaseDuration must be greater than RetryPeriod", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddKubernetes_GivenSection_NamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["Cluster:K8s:MaxRetries"] = "-1" },
            static (b, c) => b.AddKubernetes(c.GetSection("Cluster:K8s")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesOptions>>().Value);

        Assert.Contains("Cluster:K8s:MaxRetries must be >= 0", ex.Message, StringComparison.Ordinal);
    }
}
