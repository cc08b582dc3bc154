using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Internal;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Resolves a relative <see cref="PrometheusOptions.CaFile"/> against the host's content root, before validation.</summary>
internal sealed class PrometheusContentRootSetup(IHostEnvironment? environment = null) : IPostConfigureOptions<PrometheusOptions>
{
    public void PostConfigure(string? name, PrometheusOptions options) =>
        options.CaFile = ContentRootPath.Resolve(environment, options.CaFile);
}
