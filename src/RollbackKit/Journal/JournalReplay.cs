using RollbackKit.Approval;

namespace RollbackKit.Journal;

/// <summary>A rollback the journal shows as not finished.</summary>
/// <param name="RollbackId">The rollback id.</param>
/// <param name="Request">The request that started it.</param>
/// <param name="State">The last state journaled.</param>
/// <param name="AcceptedAt">When it was accepted.</param>
/// <param name="CompletedSteps">Indexes of the playbook steps that completed successfully.</param>
/// <param name="ApprovedBy">Who approved it (or <c>timeout</c> for a P1 that proceeded), when it got past the gate.</param>
internal sealed record UnfinishedRollback(string RollbackId, RollbackRequest Request, RollbackState State, DateTimeOffset AcceptedAt, IReadOnlySet<int> CompletedSteps, string? ApprovedBy);

/// <summary>One sighting of a deduplication key in the journal, in journal order.</summary>
/// <param name="Key">The key.</param>
/// <param name="RollbackId">The rollback the entry belongs to, if any.</param>
/// <param name="SeenAt">When the entry was written.</param>
internal readonly record struct DeduplicationSighting(string Key, string? RollbackId, DateTimeOffset SeenAt);

/// <summary>What the dispatcher needs to know again after a restart, read from the journal.</summary>
internal sealed class JournalReplayResult
{
    /// <summary>Every deduplication key seen, in journal order.</summary>
    public List<DeduplicationSighting> DeduplicationKeys { get; } = [];

    /// <summary>Start times of automatic rollbacks still within the attempt window, by target id.</summary>
    public Dictionary<string, List<DateTimeOffset>> Attempts { get; } = new(StringComparer.Ordinal);

    /// <summary>When each target's last automatic rollback finished (rolled back or failed), by target id.</summary>
    public Dictionary<string, DateTimeOffset> LastCompleted { get; } = new(StringComparer.Ordinal);

    /// <summary>Rollbacks started and not finished, in the order they were requested.</summary>
    public List<UnfinishedRollback> Unfinished { get; } = [];
}

/// <summary>
/// Rebuilds the dispatcher's memory from the journal: deduplication keys, attempts, cooldowns and unfinished rollbacks.
/// Pure: it reads entries and returns what they say.
/// </summary>
internal static class JournalReplay
{
    /// <summary>Replays <paramref name="entries"/> as of <paramref name="now"/>.</summary>
    /// <param name="entries">The journal, in the order written.</param>
    /// <param name="now">The current time.</param>
    /// <param name="attemptWindow">How long an automatic rollback counts as an attempt.</param>
    public static JournalReplayResult Replay(IReadOnlyList<JournalEntry> entries, DateTimeOffset now, TimeSpan attemptWindow)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = new JournalReplayResult();
        foreach (var entry in entries)
        {
            // Keys are scoped by their source (the request's trigger type), which every journal line carries.
            if (entry.Request?.ScopedDeduplicationKey() is { } key)
            {
                result.DeduplicationKeys.Add(new DeduplicationSighting(key, entry.RollbackId, entry.Timestamp));
            }

            if (entry.Kind == JournalEntryKind.Requested && entry.Request is { TriggerType: not RollbackTriggerType.Manual } && now - entry.Timestamp < attemptWindow)
            {
                if (!result.Attempts.TryGetValue(entry.TargetId, out var attempts))
                {
                    result.Attempts[entry.TargetId] = attempts = [];
                }

                attempts.Add(entry.Timestamp);
            }

            if (entry is { Kind: JournalEntryKind.Completed, Audit.State: RollbackState.RolledBack or RollbackState.RollbackFailed }
                && entry.Audit.Trigger.Type != RollbackTriggerType.Manual)
            {
                result.LastCompleted[entry.TargetId] = entry.Timestamp;
            }
        }

        result.Unfinished.AddRange(FindUnfinished(entries));
        return result;
    }

    /// <summary>The rollbacks <paramref name="entries"/> show as started and not finished, in the order they were requested.</summary>
    public static List<UnfinishedRollback> FindUnfinished(IReadOnlyList<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byId = new Dictionary<string, (RollbackRequest Request, RollbackState State, DateTimeOffset At, HashSet<int> Steps, string? ApprovedBy, bool Done)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.RollbackId is not { } id)
            {
                continue;
            }

            if (entry.Kind == JournalEntryKind.Requested && entry.Request is { } request)
            {
                if (!byId.ContainsKey(id))
                {
                    order.Add(id);
                }

                byId[id] = (request, entry.State ?? RollbackState.RollbackPending, entry.Timestamp, [], null, false);
                continue;
            }

            if (!byId.TryGetValue(id, out var item))
            {
                continue;
            }

            switch (entry.Kind)
            {
                case JournalEntryKind.Transition when entry.State is { } state:
                    item.State = state;
                    item.Done |= state.IsTerminal();
                    break;
                case JournalEntryKind.StepCompleted when entry.Step is { Succeeded: true } step:
                    item.Steps.Add(step.Index);
                    break;
                case JournalEntryKind.ApprovalDecided when entry.Actor is { } actor
                    && (entry.Decision == ApprovalDecision.Approved || (entry.Decision == ApprovalDecision.TimedOut && actor == "timeout")):
                    // Approved, or a high-severity acknowledgement that timed out (which proceeds): resume past the gate.
                    item.ApprovedBy = actor;
                    break;
                case JournalEntryKind.Completed:
                    item.Done = true;
                    break;
            }

            byId[id] = item;
        }

        var result = new List<UnfinishedRollback>();
        foreach (var id in order)
        {
            var item = byId[id];
            if (!item.Done && !item.State.IsTerminal())
            {
                result.Add(new UnfinishedRollback(id, item.Request, item.State, item.At, item.Steps, item.ApprovedBy));
            }
        }

        return result;
    }
}
