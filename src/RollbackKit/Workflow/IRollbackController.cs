using RollbackKit.Dispatch;

namespace RollbackKit.Workflow;

/// <summary>The state of one rollback.</summary>
public sealed class RollbackStatus
{
    /// <summary>The rollback id.</summary>
    public required string RollbackId { get; init; }

    /// <summary>The target id.</summary>
    public required string TargetId { get; init; }

    /// <summary>The current (or final) state.</summary>
    public RollbackState State { get; init; }

    /// <summary>The request that started it.</summary>
    public required RollbackRequest Request { get; init; }

    /// <summary>When the dispatcher accepted it.</summary>
    public DateTimeOffset AcceptedAt { get; init; }

    /// <summary>When it finished, once finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The pending approval id while <see cref="RollbackState.AwaitingApproval"/>.</summary>
    public string? ApprovalId { get; init; }

    /// <summary>A one-line outcome once finished.</summary>
    public string? Message { get; init; }

    /// <summary>Where the evidence bundle was written, once finished.</summary>
    public string? EvidencePath { get; init; }

    /// <summary>Whether it was resumed after a restart or from another replica.</summary>
    public bool Resumed { get; init; }
}

/// <summary>
/// Manual control of rollbacks: roll back a target now, kill switches, point of no return, attempt counters and status.
/// Registered by <c>AddRollbackKit()</c>; the same instance is the <see cref="IRollbackDispatcher"/>.
/// </summary>
public interface IRollbackController
{
    /// <summary>
    /// Rolls a target back now (a manual request: no approval, not limited by kill switches or attempts). While a rollback of the
    /// target is running the request joins it; within the cooldown after one finished it is refused naming that rollback
    /// (use the overload with <c>force</c> to run again).
    /// </summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="reason">Why, for the audit record.</param>
    /// <param name="requestedBy">Who asks.</param>
    /// <param name="cancellationToken">Cancels submission only.</param>
    ValueTask<DispatchResult> RollbackAsync(string targetId, string reason, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rolls a target back now, as <see cref="RollbackAsync(string, string, string, CancellationToken)"/>; with
    /// <paramref name="force"/> also within the cooldown after the target's last rollback finished. A request while a rollback
    /// of the target is running still joins it.
    /// </summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="reason">Why, for the audit record.</param>
    /// <param name="requestedBy">Who asks.</param>
    /// <param name="force">Run again even though the target's last rollback finished within the cooldown.</param>
    /// <param name="cancellationToken">Cancels submission only.</param>
    ValueTask<DispatchResult> RollbackAsync(string targetId, string reason, string requestedBy, bool force, CancellationToken cancellationToken = default);

    /// <summary>Whether automatic rollback is globally enabled (configuration, then <see cref="SetAutoRollback(bool)"/>).</summary>
    bool AutoRollbackEnabled { get; }

    /// <summary>Global kill switch at run time: <see langword="false"/> turns automatic requests into alerts.</summary>
    /// <param name="enabled">Whether automatic rollback is enabled.</param>
    void SetAutoRollback(bool enabled);

    /// <summary>Per-target kill switch at run time; <see langword="null"/> returns to the target's configuration.</summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="enabled">Whether automatic rollback of this target is enabled, or <see langword="null"/>.</param>
    void SetAutoRollback(string targetId, bool? enabled);

    /// <summary>Whether automatic rollback of the target is enabled (global and per-target switches).</summary>
    /// <param name="targetId">The target id.</param>
    bool IsAutoRollbackEnabled(string targetId);

    /// <summary>Marks a target as past (or no longer past) its point of no return: automatic requests then ask for a forward fix.</summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="passed">Whether the point of no return is passed.</param>
    void SetPointOfNoReturn(string targetId, bool passed);

    /// <summary>Whether the target is past its point of no return (configuration or <see cref="SetPointOfNoReturn"/>).</summary>
    /// <param name="targetId">The target id.</param>
    bool IsPastPointOfNoReturn(string targetId);

    /// <summary>
    /// Forgets the automatic rollback attempts and cooldown of a target (or its coordinated group) after a fix was deployed.
    /// Journaled (actor <c>controller</c>) before it takes effect, so it holds after a restart and on every process sharing the
    /// journal; blocks until written. Prefer <see cref="ResetAttemptsAsync"/>, which records who and why.
    /// </summary>
    /// <param name="targetId">The target id, or a group id.</param>
    void ResetAttempts(string targetId);

    /// <summary>
    /// Forgets the automatic rollback attempts and cooldown of a target (or its coordinated group) after a fix was deployed:
    /// journaled with who and why before it takes effect, so rollbacks finished or attempted before it no longer count, also
    /// after a restart and on every process sharing the journal.
    /// </summary>
    /// <param name="targetId">The target id, or a group id.</param>
    /// <param name="resetBy">Who resets (recorded in the journal).</param>
    /// <param name="reason">Why (recorded in the journal).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask ResetAttemptsAsync(string targetId, string resetBy, string reason, CancellationToken cancellationToken = default);

    /// <summary>The running rollback of a target, else its last one in this process, else <see langword="null"/>.</summary>
    /// <param name="targetId">The target id.</param>
    RollbackStatus? GetStatus(string targetId);

    /// <summary>The rollbacks pending or running in this process.</summary>
    IReadOnlyList<RollbackStatus> GetActiveRollbacks();

    /// <summary>Waits until a rollback finishes and returns its final status.</summary>
    /// <param name="rollbackId">The rollback id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="KeyNotFoundException">The rollback is unknown to this process.</exception>
    /// <exception cref="TaskCanceledException">This process stopped before the rollback finished (it stays unfinished in the journal and is resumed later).</exception>
    Task<RollbackStatus> WaitForCompletionAsync(string rollbackId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Looks in the journal for rollbacks left unfinished (by a previous process or another replica) whose target lock can be
    /// taken now, and resumes them (or marks them for attention, see <see cref="RollbackWorkflowOptions.UnfinishedWorkflows"/>).
    /// Runs at start and periodically in the hosted service; a lock implementation may call it after gaining a lease.
    /// </summary>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>How many unfinished rollbacks were taken over.</returns>
    ValueTask<int> ResumeUnfinishedAsync(CancellationToken cancellationToken = default);
}
