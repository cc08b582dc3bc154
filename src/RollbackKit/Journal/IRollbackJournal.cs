using RollbackKit.Approval;

namespace RollbackKit.Journal;

/// <summary>What a journal entry records.</summary>
public enum JournalEntryKind
{
    /// <summary>A rollback was accepted (carries the request; state <see cref="RollbackState.RollbackPending"/>).</summary>
    Requested = 0,

    /// <summary>The workflow moves to <see cref="JournalEntry.State"/>; written before the state is acted on.</summary>
    Transition = 1,

    /// <summary>A request joined a rollback already pending or running.</summary>
    Joined = 2,

    /// <summary>A request repeated a deduplication key seen before.</summary>
    Duplicate = 3,

    /// <summary>Only an alert was raised (alert-only, kill switch, point of no return, medium severity).</summary>
    Alert = 4,

    /// <summary>
    /// A request was refused (unknown target, attempts exhausted, cooldown, a manual request shortly after a finished rollback,
    /// which <see cref="JournalEntry.RollbackId"/> then names); <see cref="JournalEntry.Message"/> says why.
    /// </summary>
    Refused = 5,

    /// <summary>A playbook step finished (carries <see cref="JournalEntry.Step"/>).</summary>
    StepCompleted = 6,

    /// <summary>An approval decision was made (or timed out).</summary>
    ApprovalDecided = 7,

    /// <summary>The workflow ended (carries <see cref="JournalEntry.Audit"/>).</summary>
    Completed = 8,

    /// <summary>
    /// A dry-run trigger fired: carries the request with the trigger's evidence (trigger, condition, measured values, actual,
    /// threshold); nothing was acted on.
    /// </summary>
    DryRunFired = 9,

    /// <summary>A playbook step is about to run (carries <see cref="JournalEntry.Step"/> with its idempotency key); written and
    /// flushed before the step runs, so a restart knows which step was interrupted.</summary>
    StepStarted = 20,

    /// <summary>
    /// A notifier's conversation state for a rollback changed (carries <see cref="JournalEntry.NotifierValues"/>;
    /// <see cref="JournalEntry.Actor"/> names the notifier), for example a Slack thread or an open PagerDuty incident.
    /// </summary>
    NotifierState = 30,

    /// <summary>
    /// An operator turned automatic rollback on or off (the kill switch): <see cref="JournalEntry.Enabled"/> is the new value,
    /// <see cref="JournalEntry.Actor"/> who, <see cref="JournalEntry.Message"/> why; <see cref="JournalEntry.TargetId"/> is the
    /// target, or <c>*</c> for the global switch. Replayed at start, so a switch turned off stays off after a restart.
    /// </summary>
    AutoRollbackChanged = 40,

    /// <summary>
    /// An operator forgot the automatic attempts and cooldown of <see cref="JournalEntry.TargetId"/> (a target, or the group id for
    /// a coordinated group's member): <see cref="JournalEntry.Actor"/> who, <see cref="JournalEntry.Message"/> why. Written before
    /// the reset takes effect; at start and when a shared lock is taken, the target's rollbacks finished and attempted before it
    /// no longer count.
    /// </summary>
    AttemptsReset = 50,
}

/// <summary>One append-only journal record.</summary>
public sealed class JournalEntry
{
    /// <summary>When it was written.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>What it records.</summary>
    public JournalEntryKind Kind { get; init; }

    /// <summary>The rollback id, when the entry belongs to a rollback.</summary>
    public string? RollbackId { get; init; }

    /// <summary>The target id.</summary>
    public required string TargetId { get; init; }

    /// <summary>The workflow state after this entry, for <see cref="JournalEntryKind.Requested"/> and <see cref="JournalEntryKind.Transition"/>.</summary>
    public RollbackState? State { get; init; }

    /// <summary>A one-line explanation.</summary>
    public string? Message { get; init; }

    /// <summary>Who requested or decided.</summary>
    public string? Actor { get; init; }

    /// <summary>The request, for <see cref="JournalEntryKind.Requested"/>, <see cref="JournalEntryKind.Joined"/>, <see cref="JournalEntryKind.Duplicate"/>,
    /// <see cref="JournalEntryKind.Alert"/> and <see cref="JournalEntryKind.Refused"/>.</summary>
    public RollbackRequest? Request { get; init; }

    /// <summary>The decision, for <see cref="JournalEntryKind.ApprovalDecided"/>.</summary>
    public ApprovalDecision? Decision { get; init; }

    /// <summary>The step outcome, for <see cref="JournalEntryKind.StepCompleted"/>.</summary>
    public StepRecord? Step { get; init; }

    /// <summary>The audit record, for <see cref="JournalEntryKind.Completed"/>.</summary>
    public RollbackAuditRecord? Audit { get; init; }

    /// <summary>Where the evidence bundle was written, for <see cref="JournalEntryKind.Completed"/>.</summary>
    public string? EvidencePath { get; init; }

    /// <summary>
    /// For <see cref="JournalEntryKind.Requested"/>: the W3C trace id of the activity current when the request was dispatched (for
    /// a metric trigger, the monitor tick that fired it), linking the rollback to the evidence that started it.
    /// </summary>
    public string? TraceId { get; init; }

    /// <summary>
    /// For the <see cref="JournalEntryKind.Requested"/> record of a coordinated group's rollback: the group id. The record is kept
    /// under the group id (<see cref="TargetId"/>) while its <see cref="Request"/> names the member that was asked to roll back.
    /// </summary>
    public string? GroupId { get; init; }

    /// <summary>
    /// For <see cref="JournalEntryKind.NotifierState"/>: the notifier's values that changed (an empty value clears one).
    /// Never secrets: only ids such as a Slack thread's channel and <c>ts</c> or a PagerDuty <c>dedup_key</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NotifierValues { get; init; }

    /// <summary>For <see cref="JournalEntryKind.AutoRollbackChanged"/>: whether automatic rollback is enabled after the change.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>
/// The append-only record of every rollback decision and transition. The default store is a JSON Lines file, synced to disk
/// on every write; a torn last line from a crash is skipped on read, never losing earlier records.
/// </summary>
public interface IRollbackJournal
{
    /// <summary>Appends an entry durably.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads entries in the order written.</summary>
    /// <param name="targetId">Only entries of this target; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default);
}
