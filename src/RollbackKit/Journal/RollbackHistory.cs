
namespace RollbackKit.Journal;

internal sealed class RollbackHistory(IRollbackJournal journal) : IRollbackHistory
{
    public async ValueTask<IReadOnlyList<RollbackAuditRecord>> GetRollbacksAsync(string? targetId = null, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        // A coordinated group's rollback is kept under the group id: a member's history includes it, so all entries are read.
        var entries = await journal.ReadAsync(null, cancellationToken).ConfigureAwait(false);
        var list = new List<RollbackAuditRecord>();
        foreach (var entry in entries)
        {
            if (entry.Kind != JournalEntryKind.Completed || entry.Audit is not { } audit || !Concerns(entry, audit, targetId))
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

    /// <summary>Whether the record is about <paramref name="targetId"/> (any target when null): its own, or its group's that lists it.</summary>
    private static bool Concerns(JournalEntry entry, RollbackAuditRecord audit, string? targetId)
    {
        if (targetId is null || string.Equals(entry.TargetId, targetId, StringComparison.Ordinal))
        {
            return true;
        }

        if (audit.Group is { } group)
        {
            foreach (var member in group.Members)
            {
                if (string.Equals(member.TargetId, targetId, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public async ValueTask<RollbackStatistics> GetStatisticsAsync(string? targetId = null, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var records = await GetRollbacksAsync(targetId, since, until, cancellationToken).ConfigureAwait(false);
        int succeeded = 0, failed = 0, rejected = 0, detectCount = 0, manual = 0;
        var detectTimes = new List<TimeSpan>();
        var rollbackTimes = new List<TimeSpan>();
        double detectTicks = 0, rollbackTicks = 0;
        var causes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            switch (record.State)
            {
                case RollbackState.RolledBack:
                    succeeded++;
                    rollbackTicks += (record.Execution.CompletedAt - record.Trigger.DetectedAt).Ticks;
                    rollbackTimes.Add(record.Execution.CompletedAt - record.Trigger.DetectedAt);
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
            if (record.Trigger.Type == RollbackTriggerType.Manual)
            {
                manual++;
            }

            if (record.Trigger.FirstFailedAt is { } first)
            {
                detectTicks += (record.Trigger.DetectedAt - first).Ticks;
                detectTimes.Add(record.Trigger.DetectedAt - first);
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
            P95TimeToDetect = Percentile95(detectTimes),
            P95TimeToRollback = Percentile95(rollbackTimes),
            Manual = manual,
            Automatic = records.Count - manual,
        };
    }

    /// <summary>The 95th percentile by nearest rank (the smallest value with at least 95 % of the values at or below it).</summary>
    internal static TimeSpan? Percentile95(List<TimeSpan> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(0.95 * values.Count);
        return values[Math.Clamp(rank, 1, values.Count) - 1];
    }
}
