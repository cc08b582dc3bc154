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

    /// <summary>The id its records are kept under: the target, or for a coordinated group's rollback the group id.</summary>
    public string TargetId { get; init; } = Request.Target.Id;

    /// <summary>For a coordinated group's rollback, the progress of each member whose steps the journal shows, by member target id.</summary>
    public IReadOnlyDictionary<string, MemberProgress> Members { get; init; } = new Dictionary<string, MemberProgress>(StringComparer.Ordinal);
}

/// <summary>The journaled progress of one member of a coordinated group's rollback.</summary>
/// <param name="CompletedSteps">Indexes (in the member's playbook) of the steps that completed successfully.</param>
/// <param name="InterruptedSteps">Steps started and never finished, by index.</param>
internal sealed record MemberProgress(IReadOnlySet<int> CompletedSteps, IReadOnlyDictionary<int, StepRecord> InterruptedSteps);

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
    /// Each rollback's records are checked against the workflow's rules as they are replayed (<see cref="RollbackStateRules"/>
    /// for transitions, <see cref="RunHistory"/> for the rest). A rollback whose history is inconsistent (its <c>Requested</c>
    /// record lost, a transition not allowed from the state before it, a step finished that never started or started out of
    /// order, records written after it ended) is reported marked <see cref="UnfinishedRollback.Incomplete"/> when it is
    /// unfinished or when the inconsistency comes after its end: it is never silently dropped, and is never resumed. A
    /// rollback that ended is otherwise trusted by its end records. Once such a rollback is marked for attention (a
    /// <see cref="RollbackState.NeedsAttention"/> transition after the inconsistency) it is not reported again.
    /// </remarks>
    public static List<UnfinishedRollback> FindUnfinished(IReadOnlyList<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byId = new Dictionary<string, RunHistory>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var entry in entries)
        {
            if (entry?.RollbackId is not { } id || !RunHistory.IsProgress(entry.Kind))
            {
                // Joined, duplicate, refused, alert and notifier records may name a rollback; they say nothing of its progress.
                continue;
            }

            if (!byId.TryGetValue(id, out var run))
            {
                run = entry.Kind == JournalEntryKind.Requested && entry.Request is not null
                    ? new RunHistory(entry.Request, entry.Timestamp, requested: true, owner: entry.TargetId)
                    : new RunHistory(Synthesized(entry), entry.Timestamp, requested: false, owner: entry.TargetId) { Incomplete = $"its Requested record is missing (first seen as {entry.Kind})" };
                byId[id] = run;
                order.Add(id);
                if (entry.Kind == JournalEntryKind.Requested && entry.Request is not null)
                {
                    continue;
                }
            }

            run.Apply(entry);
        }

        var result = new List<UnfinishedRollback>();
        foreach (var id in order)
        {
            var run = byId[id];
            if (run.NeedsReport)
            {
                result.Add(new UnfinishedRollback(id, run.Request, run.State, run.At, run.Steps, run.ApprovedBy)
                {
                    Incomplete = run.Incomplete,
                    InterruptedSteps = run.Started,
                    TargetId = run.Owner,
                    Members = run.MemberProgress(),
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
}
