using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace RollbackKit.Kubernetes.Tests;

public sealed class KubeconfigContentRootTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rbk-k8s-root-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ServiceProvider Build(string kubeconfigPath, bool withHostEnvironment = true)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (withHostEnvironment)
        {
            services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = _root });
        }

        services.AddRollbackKit().AddKubernetes(o => o.KubeconfigPath = kubeconfigPath);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void KubeconfigPath_Relative_IsResolvedAgainstTheContentRoot_AndPassesValidation()
    {
        Directory.CreateDirectory(Path.Combine(_root, "cluster"));
        File.WriteAllText(Path.Combine(_root, "cluster", "kubeconfig"), "apiVersion: v1\nkind: Config\n");
        using var provider = Build(Path.Combine("cluster", "kubeconfig"));

        var options = provider.GetRequiredService<IOptions<KubernetesOptions>>().Value;

        Assert.Equal(Path.Combine(_root, "cluster", "kubeconfig"), options.KubeconfigPath);
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "cluster", "kubeconfig")));
    }

    [Fact]
    public void KubeconfigPath_RelativeAndMissingUnderTheContentRoot_FailsNamingTheResolvedPath()
    {
        using var provider = Build("missing/kubeconfig");

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesOptions>>().Value);

        Assert.Contains("KubeconfigPath: no kubeconfig file at '" + Path.Combine(_root, "missing", "kubeconfig") + "'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KubeconfigPath_Rooted_IsLeftAsItIs()
    {
        var path = Path.Combine(_root, "abs-kubeconfig");
        File.WriteAllText(path, "apiVersion: v1\nkind: Config\n");
        using var provider = Build(path);

        Assert.Equal(path, provider.GetRequiredService<IOptions<KubernetesOptions>>().Value.KubeconfigPath);
    }

    [Fact]
    public void KubeconfigPath_RelativeWithoutHostEnvironment_IsLeftAsItIs()
    {
        using var provider = Build("cluster/kubeconfig", withHostEnvironment: false);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesOptions>>().Value);

        Assert.Contains("no kubeconfig file at 'cluster/kubeconfig'", ex.Message, StringComparison.Ordinal);
    }
}
