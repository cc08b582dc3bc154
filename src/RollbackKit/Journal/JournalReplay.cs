using RollbackKit.Approval;

namespace RollbackKit.Journal;

/// <summary>A rollback the journal shows as not finished.</summary>
/// <param name="RollbackId">The rollback id.</param>
/// <param name="Request">The request that started it.</param>
/// <param name="State">The last state journaled.</param>
/// <param name="AcceptedAt">When it was accepted.</param>
/// <param name="CompletedSteps">Indexes of the playbook steps that completed successfully.</param>
/// <param name="ApprovedBy">Who approved it (or <c>timeout</c> for a P1 that proceeded), when it got past the gate.</param>
internal sealed record UnfinishedRollback(string RollbackId, RollbackRequest Request, RollbackState State, DateTimeOffset AcceptedAt, IReadOnlySet<int> CompletedSteps, string? ApprovedBy)
{
    /// <summary>Why the rollback's history cannot be trusted (its <c>Requested</c> record is lost, ...), or <see langword="null"/>.
    /// Such a rollback is never resumed: it needs a human.</summary>
    public string? Incomplete { get; init; }

    /// <summary>Steps journaled as started and never finished (the process stopped while they ran), by index.</summary>
    public IReadOnlyDictionary<int, StepRecord> InterruptedSteps { get; init; } = new Dictionary<int, StepRecord>();
}

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
    /// <remarks>
    /// Entries naming a rollback whose <c>Requested</c> record is missing (a corrupt line was quarantined) make an unfinished
    /// rollback marked <see cref="UnfinishedRollback.Incomplete"/> unless they show it ended: it is never silently dropped.
    /// </remarks>
    public static List<UnfinishedRollback> FindUnfinished(IReadOnlyList<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byId = new Dictionary<string, Item>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.RollbackId is not { } id || entry.Kind is JournalEntryKind.Joined or JournalEntryKind.Duplicate)
            {
                continue;
            }

            if (entry.Kind == JournalEntryKind.Requested && entry.Request is { } request)
            {
                if (!byId.TryGetValue(id, out var existing))
                {
                    order.Add(id);
                }

                byId[id] = new Item(request, entry.State ?? RollbackState.RollbackPending, entry.Timestamp)
                {
                    Incomplete = existing is { Incomplete: not null } ? $"records of it precede its Requested record ({existing.Incomplete})" : null,
                };
                continue;
            }

            if (!byId.TryGetValue(id, out var item))
            {
                item = new Item(Synthesized(entry), RollbackState.RollbackPending, entry.Timestamp) { Incomplete = $"its Requested record is missing (first seen as {entry.Kind})" };
                byId[id] = item;
                order.Add(id);
            }

            switch (entry.Kind)
            {
                case JournalEntryKind.Transition when entry.State is { } state:
                    item.State = state;
                    item.Done |= state.IsTerminal();
                    break;
                case JournalEntryKind.StepStarted when entry.Step is { } started:
                    item.Started[started.Index] = started;
                    break;
                case JournalEntryKind.StepCompleted when entry.Step is { } step:
                    item.Started.Remove(step.Index);
                    if (step.Succeeded)
                    {
                        item.Steps.Add(step.Index);
                    }

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
        }

        var result = new List<UnfinishedRollback>();
        foreach (var id in order)
        {
            var item = byId[id];
            if (!item.Done && !item.State.IsTerminal())
            {
                result.Add(new UnfinishedRollback(id, item.Request, item.State, item.At, item.Steps, item.ApprovedBy)
                {
                    Incomplete = item.Incomplete,
                    InterruptedSteps = item.Started,
                });
            }
        }

        return result;
    }

    /// <summary>A stand-in request for a rollback whose <c>Requested</c> record is lost: only the target is known.</summary>
    private static RollbackRequest Synthesized(JournalEntry entry) => new()
    {
        Target = new RollbackTarget(entry.TargetId),
        TriggerType = RollbackTriggerType.Manual,
        Reason = $"unknown: the Requested record of rollback {entry.RollbackId} is missing from the journal",
        RequestedAt = entry.Timestamp,
    };

    private sealed class Item(RollbackRequest request, RollbackState state, DateTimeOffset at)
    {
        public RollbackRequest Request { get; } = request;

        public RollbackState State { get; set; } = state;

        public DateTimeOffset At { get; } = at;

        public HashSet<int> Steps { get; } = [];

        public Dictionary<int, StepRecord> Started { get; } = [];

        public string? ApprovedBy { get; set; }

        public bool Done { get; set; }

        public string? Incomplete { get; set; }
    }
}
