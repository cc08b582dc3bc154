using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Internal;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Triggers;

namespace RollbackKit.Hosting;

/// <summary>Registers the hosted monitor, the health probe and start-up validation.</summary>
internal static class MonitorRegistration
{
    public static void AddMonitorServices(IServiceCollection services)
    {
        services.TryAddSingleton<MonitorMetrics>();
        services.TryAddSingleton<RollbackMonitor>();
        services.TryAddSingleton<IRollbackMonitor>(static sp => sp.GetRequiredService<RollbackMonitor>());
        services.TryAddSingleton<ITargetHealthProbe>(static sp => sp.GetRequiredService<RollbackMonitor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RollbackMonitorHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackKitOptions>, RollbackKitOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackKitOptions>, TriggerOptionsValidator>(
            static sp => new TriggerOptionsValidator(sp.GetServices<IMetricSource>(), sp.GetService<RollbackKitSection>()?.Path)));
    }
}

/// <summary>Runs the monitor as a hosted service (a separate type so TryAddEnumerable can de-duplicate it).</summary>
internal sealed class RollbackMonitorHostedService(RollbackMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => monitor.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => monitor.StopAsync(cancellationToken);
}
