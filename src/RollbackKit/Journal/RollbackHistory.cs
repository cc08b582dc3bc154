
namespace RollbackKit.Journal;

internal sealed class RollbackHistory(IRollbackJournal journal) : IRollbackHistory
{
    public async ValueTask<IReadOnlyList<RollbackAuditRecord>> GetRollbacksAsync(string? targetId = null, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var entries = await journal.ReadAsync(targetId, cancellationToken).ConfigureAwait(false);
        var list = new List<RollbackAuditRecord>();
        foreach (var entry in entries)
        {
            if (entry.Kind != JournalEntryKind.Completed || entry.Audit is not { } audit)
            {
                continue;
            }

            var at = audit.Trigger.RequestedAt;
            if ((since is null || at >= since) && (until is null || at < until))
            {
                list.Add(audit);
            }
        }

        return list;
    }

    public async ValueTask<RollbackStatistics> GetStatisticsAsync(string? targetId = null, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var records = await GetRollbacksAsync(targetId, since, until, cancellationToken).ConfigureAwait(false);
        int succeeded = 0, failed = 0, rejected = 0, detectCount = 0;
        double detectTicks = 0, rollbackTicks = 0;
        var causes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            switch (record.State)
            {
                case RollbackState.RolledBack:
                    succeeded++;
                    rollbackTicks += (record.Execution.CompletedAt - record.Trigger.DetectedAt).Ticks;
                    break;
                case RollbackState.RollbackFailed:
                    failed++;
                    break;
                case RollbackState.Rejected:
                    rejected++;
                    break;
            }

            var cause = record.Trigger.Type == RollbackTriggerType.MetricTrigger && record.Trigger.TriggerName is { } name
                ? name
                : record.Trigger.Type.ToString();
            causes[cause] = causes.GetValueOrDefault(cause) + 1;
            if (record.Trigger.FirstFailedAt is { } first)
            {
                detectTicks += (record.Trigger.DetectedAt - first).Ticks;
                detectCount++;
            }
        }

        return new RollbackStatistics
        {
            Total = records.Count,
            Succeeded = succeeded,
            Failed = failed,
            Rejected = rejected,
            SuccessRate = succeeded + failed == 0 ? null : (double)succeeded / (succeeded + failed),
            Causes = causes,
            MeanTimeToDetect = detectCount == 0 ? null : TimeSpan.FromTicks((long)(detectTicks / detectCount)),
            MeanTimeToRollback = succeeded == 0 ? null : TimeSpan.FromTicks((long)(rollbackTicks / succeeded)),
        };
    }
}
