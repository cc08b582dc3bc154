using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RollbackKit.Health;
using RollbackKit.Health.Internal;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Redaction;

namespace RollbackKit.Hosting;

/// <summary>
/// Adds the RollbackKit checks when the health check service's options are built, so that the per-source checks and the
/// leadership check see every source and leadership registered after <c>AddHealthChecks()</c> was called.
/// </summary>
internal sealed class RollbackKitHealthCheckRegistrations(IServiceProvider services) : IConfigureOptions<HealthCheckServiceOptions>
{
    private static readonly string[] s_monitorTags = [RollbackKitHealthChecks.Tag, RollbackKitHealthChecks.LiveTag, RollbackKitHealthChecks.ReadyTag];
    private static readonly string[] s_journalTags = [RollbackKitHealthChecks.Tag, RollbackKitHealthChecks.ReadyTag];
    private static readonly string[] s_tags = [RollbackKitHealthChecks.Tag];

    public void Configure(HealthCheckServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Registrations.Add(new HealthCheckRegistration(
            RollbackKitHealthChecks.Monitor,
            static sp => new MonitorHealthCheck(sp.GetRequiredService<IMonitorHeartbeat>(), sp.GetRequiredService<TimeProvider>(), Settings(sp)),
            HealthStatus.Unhealthy,
            s_monitorTags));

        options.Registrations.Add(new HealthCheckRegistration(
            RollbackKitHealthChecks.Journal,
            static sp =>
            {
                var journal = sp.GetRequiredService<IRollbackJournal>();
                var path = journal is FileRollbackJournal ? sp.GetRequiredService<IOptions<JournalOptions>>().Value.Path : null;
                return new JournalHealthCheck(path, journal.GetType().Name);
            },
            HealthStatus.Unhealthy,
            s_journalTags));

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in services.GetServices<IMetricSource>())
        {
            var name = source.Name;
            if (string.IsNullOrWhiteSpace(name) || !seen.Add(name))
            {
                continue;
            }

            options.Registrations.Add(new HealthCheckRegistration(
                RollbackKitHealthChecks.Source(name),
                sp => new SourceHealthCheck(name, sp.GetRequiredService<IMonitorHeartbeat>(), sp.GetRequiredService<SecretRedactor>()),
                HealthStatus.Unhealthy,
                s_tags));
        }

        if (services.GetService<IMonitorLeadership>() is not null)
        {
            options.Registrations.Add(new HealthCheckRegistration(
                RollbackKitHealthChecks.Leadership,
                static sp => new LeadershipHealthCheck(
                    sp.GetRequiredService<IMonitorLeadership>(),
                    sp.GetRequiredService<TimeProvider>(),
                    Settings(sp),
                    sp.GetRequiredService<SecretRedactor>()),
                HealthStatus.Unhealthy,
                s_tags));
        }
    }

    private static RollbackKitHealthCheckOptions Settings(IServiceProvider sp) => sp.GetRequiredService<IOptions<RollbackKitHealthCheckOptions>>().Value;
}

/// <summary>Marks that the RollbackKit health checks were added, so a second call adds nothing.</summary>
internal sealed class RollbackKitHealthChecksMarker;
