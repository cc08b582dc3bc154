using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Engine;
using RollbackKit.Internal;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Sharding;
using RollbackKit.Triggers;
using RollbackKit.Verification;

namespace RollbackKit.Hosting;

/// <summary>Registers the hosted monitor, the health probe and start-up validation.</summary>
internal static class MonitorRegistration
{
    public static void AddMonitorServices(IServiceCollection services)
    {
        services.AddOptions<MonitorOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MonitorOptions>, MonitorOptionsSetup>());
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
            return new CompiledConfiguration(
                sp.GetRequiredService<IRollbackTargetCatalog>().Targets,
                options.Queries,
                options.Triggers,
                options.Baselines,
                sp.GetServices<IMetricSource>());
        });
        services.TryAddSingleton(static sp => ActivatorUtilities.CreateInstance<RollbackMonitor>(sp, RedactionRegistration.Logger<RollbackMonitor>(sp))
            .UseShards(sp.GetService<IShardOwnership>()));
        services.TryAddSingleton<IRollbackMonitor>(static sp => sp.GetRequiredService<RollbackMonitor>());
        services.TryAddSingleton<IMonitorExplainer>(static sp => sp.GetRequiredService<RollbackMonitor>());
        services.TryAddSingleton<IMonitorHeartbeat>(static sp => sp.GetRequiredService<RollbackMonitor>());

        // The probe shares the monitor's compiled configuration, not the monitor: the dispatcher can depend on it.
        services.TryAddSingleton<ITargetHealthProbe>(static sp => ActivatorUtilities.CreateInstance<TargetHealthProbe>(sp, RedactionRegistration.Logger<TargetHealthProbe>(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RollbackMonitorHostedService>());
        JudgeRegistration.AddJudgeServices(services);
        // The one validator of RollbackKitOptions: binding problems, settings, playbooks, targets, queries and triggers.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackKitOptions>, RollbackKitOptionsValidator>(
            static sp => new RollbackKitOptionsValidator(
                sp.GetServices<Playbooks.IPlaybookStepFactory>(),
                sp.GetService<RollbackKitSection>(),
                new TriggerOptionsValidator(sp.GetServices<IMetricSource>(), sp.GetService<RollbackKitSection>()?.Path),
                sp.GetService<ConfigurationBindingErrors<RollbackKitOptions>>())));
    }
}

/// <summary>Runs the monitor as a hosted service (a separate type so TryAddEnumerable can de-duplicate it).</summary>
internal sealed class RollbackMonitorHostedService(RollbackMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => monitor.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => monitor.StopAsync(cancellationToken);
}

/// <summary>Takes the monitor's settings from <see cref="RollbackKitOptions"/>, so they bind from the same keys as always.</summary>
internal sealed class MonitorOptionsSetup(IOptions<RollbackKitOptions> options) : IConfigureOptions<MonitorOptions>
{
    public void Configure(MonitorOptions monitor)
    {
        var source = options.Value;
        monitor.EvaluationInterval = source.EvaluationInterval;
        monitor.MonitorEnabled = source.MonitorEnabled;
    }
}
