using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RollbackKit.Monitoring;
using RollbackKit.Redaction;

namespace RollbackKit.Health.Internal;

/// <summary>
/// <c>rollbackkit-source:&lt;name&gt;</c>: unhealthy when a query this source answers failed in the monitor's last tick that
/// ran the queries (naming each query and its error, redacted); degraded before the first such tick.
/// </summary>
internal sealed class SourceHealthCheck(string sourceName, IMonitorHeartbeat heartbeat, SecretRedactor redactor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check(heartbeat.Read()));

    private HealthCheckResult Check(MonitorHeartbeat beat)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["source"] = sourceName };
        if (beat.DisabledReason is { } reason)
        {
            return HealthCheckResult.Healthy($"source '{sourceName}' is not queried: {reason}", data);
        }

        if (beat.LastQueriedAt is not { } queriedAt)
        {
            return beat.LastTickSkippedNotLeader
                ? HealthCheckResult.Healthy($"source '{sourceName}' is not queried on this replica: it is not the leader", data)
                : HealthCheckResult.Degraded($"source '{sourceName}' not queried yet: the monitor has not completed a tick", data: data);
        }

        data["tick"] = HealthText.Time(queriedAt);
        var total = 0;
        var failed = 0;
        var errors = new StringBuilder();
        foreach (var query in beat.Queries)
        {
            if (!string.Equals(query.Source, sourceName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            total++;
            if (query.Error is null)
            {
                continue;
            }

            failed++;
            var error = redactor.Redact(query.Error) ?? string.Empty;
            data["query:" + query.Query] = error;
            errors.Append(errors.Length == 0 ? string.Empty : "; ").Append("query '").Append(query.Query).Append("': ").Append(error);
        }

        data["queries"] = total;
        data["failed"] = failed;
        if (total == 0)
        {
            return HealthCheckResult.Healthy($"source '{sourceName}' answers no configured query", data);
        }

        return failed == 0
            ? HealthCheckResult.Healthy($"source '{sourceName}' answered all {total} queries in the tick at {HealthText.Time(queriedAt)}", data)
            : HealthCheckResult.Unhealthy($"source '{sourceName}': {failed} of {total} queries failed in the tick at {HealthText.Time(queriedAt)}: {errors}", data: data);
    }
}
