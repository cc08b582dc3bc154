using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit.Hosting;

namespace RollbackKit.Internal;

/// <summary>Registers the core services once.</summary>
internal static class RollbackKitCoreRegistration
{
    public static void AddCoreServices(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RollbackKit.Telemetry.RollbackKitMetrics>();
        services.TryAddSingleton<IRollbackTargetCatalog, TargetCatalog>();
        WorkflowRegistration.AddWorkflowServices(services);
        MonitorRegistration.AddMonitorServices(services);
    }
}
