namespace RollbackKit.Operations;

/// <summary>
/// What an operator can see and do: the live status, a manual rollback, approving or holding a pending rollback, and the kill
/// switch. Every change is journaled with who made it and why. Registered by <c>AddRollbackKit()</c>; the management API and
/// the command-line tool speak to it.
/// </summary>
public interface IOperatorConsole
{
    /// <summary>The switches, every configured target with the monitor's last verdicts, and the rollbacks running now.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<OperatorStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>The kill switch: global value, per-target overrides and the last change.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<AutoRollbackState> GetAutoRollbackAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rolls a target back now. A request while the target is being rolled back joins that run; a request repeating an
    /// <see cref="ManualRollbackRequest.IdempotencyKey"/> (also after a restart) returns the run the first one started.
    /// </summary>
    /// <param name="request">The target, the reason (required), an optional idempotency key and force flag.</param>
    /// <param name="requestedBy">Who asks (recorded in the journal).</param>
    /// <param name="cancellationToken">Cancels submission only.</param>
    /// <exception cref="OperatorRequestException">The request is invalid (<see cref="OperatorErrorKind.InvalidRequest"/>), or refused by policy (<see cref="OperatorErrorKind.Refused"/>, for example within the cooldown).</exception>
    ValueTask<ManualRollbackResponse> RollbackAsync(ManualRollbackRequest request, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Approves the pending approval of a rollback.</summary>
    /// <param name="rollbackId">The rollback id.</param>
    /// <param name="decidedBy">Who approves (recorded in the journal).</param>
    /// <param name="comment">An optional comment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OperatorRequestException">No approval is pending for that rollback (<see cref="OperatorErrorKind.NotFound"/>).</exception>
    ValueTask ApproveAsync(string rollbackId, string decidedBy, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Holds a rollback waiting for approval: its approval is decided rejected with <c>held by &lt;who&gt;: &lt;comment&gt;</c>, and it does not proceed.</summary>
    /// <param name="rollbackId">The rollback id.</param>
    /// <param name="decidedBy">Who holds it (recorded in the journal).</param>
    /// <param name="comment">An optional comment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OperatorRequestException">No approval is pending for that rollback (<see cref="OperatorErrorKind.NotFound"/>).</exception>
    ValueTask HoldAsync(string rollbackId, string decidedBy, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Turns automatic rollback on or off, globally or for one target; journaled (who, why, when) and restored at start.</summary>
    /// <param name="change">The new value, the reason (required) and the target (<see langword="null"/> = global).</param>
    /// <param name="changedBy">Who changes it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OperatorRequestException">The reason is empty or the target unknown (<see cref="OperatorErrorKind.InvalidRequest"/>).</exception>
    ValueTask<AutoRollbackState> SetAutoRollbackAsync(AutoRollbackChange change, string changedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets a target's automatic rollback attempts and cooldown after a fix was deployed ("fixed, count from zero"): journaled
    /// (who, why, when) before it takes effect, so it holds after a restart and on every replica sharing the journal. A member of
    /// a coordinated group resets its group.
    /// </summary>
    /// <param name="target">The target id, or a group id.</param>
    /// <param name="reason">Why (required).</param>
    /// <param name="resetBy">Who resets.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OperatorRequestException">The reason is empty or the target unknown (<see cref="OperatorErrorKind.InvalidRequest"/>).</exception>
    ValueTask<AttemptsResetResponse> ResetAttemptsAsync(string target, string reason, string resetBy, CancellationToken cancellationToken = default);
}

/// <summary>Why an operator's request was not carried out.</summary>
public enum OperatorErrorKind
{
    /// <summary>The request is incomplete or names an unknown target.</summary>
    InvalidRequest = 0,

    /// <summary>The rollback (or its pending approval) is unknown.</summary>
    NotFound = 1,

    /// <summary>Policy refused it (for example a manual request within the cooldown after a finished rollback).</summary>
    Refused = 2,
}

/// <summary>An operator's request that was not carried out; <see cref="Exception.Message"/> says why.</summary>
public sealed class OperatorRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why it was not carried out.</param>
    /// <param name="message">The explanation, for people.</param>
    /// <param name="rollbackId">The rollback the refusal refers to, if any.</param>
    public OperatorRequestException(OperatorErrorKind kind, string message, string? rollbackId = null)
        : base(message)
    {
        Kind = kind;
        RollbackId = rollbackId;
    }

    /// <summary>Why it was not carried out.</summary>
    public OperatorErrorKind Kind { get; }

    /// <summary>The rollback the refusal refers to (for example the one that started the cooldown), if any.</summary>
    public string? RollbackId { get; }
}
