using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Tests;

public class KubeconfigValidationTests
{
    [Fact]
    public void Validate_KubeconfigPathMissing_FailsNamingKeyAndPath()
    {
        var validator = new KubernetesOptionsValidator("RollbackKit:Kubernetes");
        var result = validator.Validate(null, new KubernetesOptions { KubeconfigPath = "/no/such/dir/kubeconfig" });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("RollbackKit:Kubernetes:KubeconfigPath: no kubeconfig file at '/no/such/dir/kubeconfig'", StringComparison.Ordinal));
    }

    [Fact]
    public void Problem_NothingConfiguredAndNoDefaultKubeconfig_NamesTheKey()
    {
        var problem = KubeconfigCheck.Problem(new KubernetesOptions(), static () => null);

        Assert.StartsWith("RollbackKit:Kubernetes:KubeconfigPath: no kubeconfig found", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_ServerSet_DoesNotNeedKubeconfig()
    {
        Assert.Null(KubeconfigCheck.Problem(new KubernetesOptions { Server = new Uri("http://127.0.0.1:1") }, static () => null));
    }
}

public class KubernetesStepsWithoutKubeconfigTests
{
    [Fact]
    public void Create_ConfiguredStepWithMissingKubeconfigFile_FailsNamingTheKey()
    {
        var services = new ServiceCollection();
        services.AddRollbackKit().AddKubernetes(o => o.KubeconfigPath = "/no/such/kubeconfig");
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetServices<RollbackKit.Playbooks.IPlaybookStepFactory>().ToList());
        Assert.Contains("RollbackKit:Kubernetes:KubeconfigPath: no kubeconfig file at '/no/such/kubeconfig'", ex.Message, StringComparison.Ordinal);
    }
}
