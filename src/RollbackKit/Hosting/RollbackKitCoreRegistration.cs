using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit.Internal;

namespace RollbackKit.Hosting;

/// <summary>Registers the core services once.</summary>
internal static class RollbackKitCoreRegistration
{
    public static void AddCoreServices(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RollbackKit.Telemetry.RollbackKitMetrics>();
        services.TryAddSingleton<IRollbackTargetCatalog>(static sp => new TargetCatalog(Targets(sp.GetRequiredService<IOptions<RollbackKitOptions>>().Value)));
        ComponentOptionsSetup.AddComponentOptions(services);
        RedactionRegistration.AddRedaction(services);
        WorkflowRegistration.AddWorkflowServices(services);
        MonitorRegistration.AddMonitorServices(services);
    }

    /// <summary>The configured targets (those with an id), in configuration order.</summary>
    internal static List<RollbackTarget> Targets(RollbackKitOptions options)
    {
        var list = new List<RollbackTarget>(options.Targets.Count);
        foreach (var definition in options.Targets)
        {
            if (!string.IsNullOrWhiteSpace(definition.Id))
            {
                list.Add(new RollbackTarget(definition.Id, definition.Labels));
            }
        }

        return list;
    }
}
