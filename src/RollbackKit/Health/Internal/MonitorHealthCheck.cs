using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RollbackKit.Monitoring;

namespace RollbackKit.Health.Internal;

/// <summary>
/// <c>rollbackkit-monitor</c>: unhealthy when the monitor's last tick (or, before the first, its start) is older than
/// <see cref="RollbackKitHealthCheckOptions.MonitorLateAfterIntervals"/> × the evaluation interval, or when it never started.
/// </summary>
internal sealed class MonitorHealthCheck(IMonitorHeartbeat heartbeat, TimeProvider time, RollbackKitHealthCheckOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var beat = heartbeat.Read();
        var interval = beat.EvaluationInterval;
        var allowed = interval * options.MonitorLateAfterIntervals;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["interval"] = HealthText.Duration(interval),
            ["lateAfter"] = HealthText.Duration(allowed),
        };
        if (beat.DisabledReason is { } reason)
        {
            data["enabled"] = false;
            return Task.FromResult(HealthCheckResult.Healthy(reason, data));
        }

        data["enabled"] = true;
        if (beat.StartedAt is { } startedAt)
        {
            data["startedAt"] = HealthText.Time(startedAt);
        }

        if (beat.LastTickCompletedAt is { } last)
        {
            data["lastTick"] = HealthText.Time(last);
            data["leader"] = !beat.LastTickSkippedNotLeader;
        }

        var reference = beat.LastTickCompletedAt ?? beat.StartedAt;
        if (reference is not { } since)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("monitor has not started: no tick yet and the hosted monitor is not running", data: data));
        }

        var now = time.GetUtcNow();
        var age = now - since;
        data["sinceLastTick"] = HealthText.Duration(age);
        var what = beat.LastTickCompletedAt is null
            ? $"no tick since the monitor started at {HealthText.Time(since)}"
            : $"last tick completed at {HealthText.Time(since)}";
        if (age > allowed)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                string.Create(CultureInfo.InvariantCulture, $"monitor is late: {what}, {HealthText.Duration(age)} ago; it ticks every {HealthText.Duration(interval)} and is late after {options.MonitorLateAfterIntervals} intervals ({HealthText.Duration(allowed)})"),
                data: data));
        }

        var standby = beat.LastTickSkippedNotLeader ? " (standby: this replica is not the leader and does not evaluate)" : string.Empty;
        return Task.FromResult(HealthCheckResult.Healthy($"monitor ticking: {what}, {HealthText.Duration(age)} ago, every {HealthText.Duration(interval)}{standby}", data));
    }
}
