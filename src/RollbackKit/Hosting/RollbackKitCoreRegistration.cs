using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit.Internal;

namespace RollbackKit.Hosting;

/// <summary>Registers the core services once.</summary>
internal static class RollbackKitCoreRegistration
{
    public static void AddCoreServices(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RollbackKit.Telemetry.RollbackKitMetrics>();
        services.TryAddSingleton<IRollbackTargetCatalog>(static sp => new TargetCatalog(TargetCatalog.Build(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RollbackKitOptions>>().Value)));
        ComponentOptionsSetup.AddComponentOptions(services);
        WorkflowRegistration.AddWorkflowServices(services);
        MonitorRegistration.AddMonitorServices(services);
    }
}
