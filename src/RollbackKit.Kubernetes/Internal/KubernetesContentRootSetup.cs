using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Internal;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>Resolves a relative <see cref="KubernetesOptions.KubeconfigPath"/> against the host's content root, before validation.</summary>
internal sealed class KubernetesContentRootSetup(IHostEnvironment? environment = null) : IPostConfigureOptions<KubernetesOptions>
{
    public void PostConfigure(string? name, KubernetesOptions options) =>
        options.KubeconfigPath = ContentRootPath.Resolve(environment, options.KubeconfigPath);
}
