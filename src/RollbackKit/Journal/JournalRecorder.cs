using RollbackKit.Approval;

namespace RollbackKit.Journal;

/// <summary>
/// Writes the journal's entries in their one shape each (who, what, when), timestamped with the <see cref="TimeProvider"/>.
/// Every write is durable before it returns, so callers journal first and act after.
/// </summary>
internal sealed class JournalRecorder(IRollbackJournal journal, TimeProvider timeProvider)
{
    /// <summary>The clock entries are stamped with.</summary>
    public TimeProvider Time { get; } = timeProvider;

    /// <summary>Reads entries in the order written.</summary>
    public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId, CancellationToken cancellationToken) => journal.ReadAsync(targetId, cancellationToken);

    /// <summary>A rollback was accepted, in state <see cref="RollbackState.RollbackPending"/>; kept under <paramref name="targetId"/>
    /// (a coordinated group's id for a group's rollback), by default the request's target.</summary>
    public ValueTask RequestedAsync(string rollbackId, RollbackRequest request, string? traceId, DateTimeOffset at, CancellationToken cancellationToken, string? targetId = null) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = at,
                Kind = JournalEntryKind.Requested,
                RollbackId = rollbackId,
                TargetId = targetId ?? request.Target.Id,
                GroupId = targetId is not null && !string.Equals(targetId, request.Target.Id, StringComparison.Ordinal) ? targetId : null,
                State = RollbackState.RollbackPending,
                Request = request,
                Actor = request.RequestedBy,
                Message = request.Reason,
                TraceId = traceId,
            },
            cancellationToken);

    /// <summary>An operator changed the kill switch of <paramref name="targetId"/> (<c>*</c> = global).</summary>
    public ValueTask AutoRollbackChangedAsync(string targetId, bool enabled, string changedBy, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = at,
                Kind = JournalEntryKind.AutoRollbackChanged,
                TargetId = targetId,
                Enabled = enabled,
                Actor = changedBy,
                Message = reason,
            },
            cancellationToken);

    /// <summary>An operator reset the attempts and cooldown of <paramref name="targetId"/> (a target or a group id).</summary>
    public ValueTask AttemptsResetAsync(string targetId, string resetBy, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = at,
                Kind = JournalEntryKind.AttemptsReset,
                TargetId = targetId,
                Actor = resetBy,
                Message = reason,
            },
            cancellationToken);

    /// <summary>A request for a target that is already being rolled back (here or by another process when <paramref name="rollbackId"/> is null).</summary>
    public ValueTask JoinedAsync(string? rollbackId, RollbackRequest request, string message, CancellationToken cancellationToken) =>
        Append(JournalEntryKind.Joined, rollbackId, request, message, cancellationToken);

    /// <summary>A request repeating a deduplication key.</summary>
    public ValueTask DuplicateAsync(string? previousRollbackId, RollbackRequest request, string message, CancellationToken cancellationToken) =>
        Append(JournalEntryKind.Duplicate, previousRollbackId, request, message, cancellationToken);

    /// <summary>A request that only raised an alert.</summary>
    public ValueTask AlertAsync(RollbackRequest request, string message, CancellationToken cancellationToken) =>
        Append(JournalEntryKind.Alert, null, request, message, cancellationToken);

    /// <summary>A refused request.</summary>
    public ValueTask RefusedAsync(RollbackRequest request, string message, CancellationToken cancellationToken) =>
        Append(JournalEntryKind.Refused, null, request, message, cancellationToken);

    /// <summary>A dry-run trigger fired; nothing is acted on.</summary>
    public ValueTask DryRunFiredAsync(RollbackRequest request, string message, CancellationToken cancellationToken) =>
        Append(JournalEntryKind.DryRunFired, null, request, message, cancellationToken);

    /// <summary>A refused request; <paramref name="rollbackId"/> names the rollback the refusal refers to (one that just finished), if any.</summary>
    public ValueTask RefusedAsync(string? rollbackId, RollbackRequest request, string message, CancellationToken cancellationToken) =>
        Append(JournalEntryKind.Refused, rollbackId, request, message, cancellationToken);

    /// <summary>A rollback moves to <paramref name="state"/>; written before the state is acted on.</summary>
    public ValueTask TransitionAsync(string rollbackId, string targetId, RollbackState state, string? message, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = Time.GetUtcNow(),
                Kind = JournalEntryKind.Transition,
                RollbackId = rollbackId,
                TargetId = targetId,
                State = state,
                Message = message,
            },
            cancellationToken);

    /// <summary>A playbook step is about to run; durable before the step runs.</summary>
    public ValueTask StepStartedAsync(string rollbackId, string targetId, StepRecord step, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = Time.GetUtcNow(),
                Kind = JournalEntryKind.StepStarted,
                RollbackId = rollbackId,
                TargetId = targetId,
                Step = step,
            },
            cancellationToken);

    /// <summary>A playbook step finished.</summary>
    public ValueTask StepCompletedAsync(string rollbackId, string targetId, StepRecord step, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = Time.GetUtcNow(),
                Kind = JournalEntryKind.StepCompleted,
                RollbackId = rollbackId,
                TargetId = targetId,
                Step = step,
            },
            cancellationToken);

    /// <summary>An approval was decided or timed out.</summary>
    public ValueTask ApprovalDecidedAsync(string rollbackId, string targetId, ApprovalDecision decision, string? actor, string message, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = Time.GetUtcNow(),
                Kind = JournalEntryKind.ApprovalDecided,
                Decision = decision,
                RollbackId = rollbackId,
                TargetId = targetId,
                Actor = actor,
                Message = message,
            },
            cancellationToken);

    /// <summary>A rollback ended, with its audit record.</summary>
    public ValueTask CompletedAsync(RollbackAuditRecord audit, string? evidencePath, DateTimeOffset at, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = at,
                Kind = JournalEntryKind.Completed,
                RollbackId = audit.RollbackId,
                TargetId = audit.TargetId,
                State = audit.State,
                Audit = audit,
                EvidencePath = evidencePath,
                Message = audit.Outcome,
            },
            cancellationToken);

    private ValueTask Append(JournalEntryKind kind, string? rollbackId, RollbackRequest request, string message, CancellationToken cancellationToken) =>
        journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = Time.GetUtcNow(),
                Kind = kind,
                RollbackId = rollbackId,
                TargetId = request.Target.Id,
                Request = request,
                Actor = request.RequestedBy,
                Message = message,
            },
            cancellationToken);
}
