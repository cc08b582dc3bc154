using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Internal;
using RollbackKit.Judging;
using RollbackKit.Metrics;

namespace RollbackKit.Hosting;

/// <summary>Registers the judge monitor (a hosted service of its own) and the validation of judge triggers.</summary>
internal static class JudgeRegistration
{
    public static void AddJudgeServices(IServiceCollection services)
    {
        services.TryAddSingleton(static sp => ActivatorUtilities.CreateInstance<JudgeMonitor>(sp, RedactionRegistration.Logger<JudgeMonitor>(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JudgeMonitorHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackKitOptions>, JudgeOptionsValidator>(
            static sp => new JudgeOptionsValidator(sp.GetServices<IMetricHistorySource>(), sp.GetService<RollbackKitSection>()?.Path)));
    }
}

/// <summary>Runs the judge monitor as a hosted service (a separate type so TryAddEnumerable can de-duplicate it).</summary>
internal sealed class JudgeMonitorHostedService(JudgeMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => monitor.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => monitor.StopAsync(cancellationToken);
}
