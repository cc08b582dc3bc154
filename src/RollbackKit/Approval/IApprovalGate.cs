namespace RollbackKit.Approval;

/// <summary>A human decision on a pending rollback.</summary>
public enum ApprovalDecision
{
    /// <summary>No decision was made before the timeout.</summary>
    TimedOut = 0,

    /// <summary>Approved (or acknowledged): proceed.</summary>
    Approved = 1,

    /// <summary>Rejected or held: do not roll back.</summary>
    Rejected = 2,
}

/// <summary>A question put to approvers.</summary>
/// <param name="ApprovalId">Unique id of this approval, carried by notifications (for example in Slack button values).</param>
/// <param name="Request">The rollback request awaiting the decision.</param>
/// <param name="Timeout">How long to wait.</param>
public sealed record ApprovalRequest(string ApprovalId, RollbackRequest Request, TimeSpan Timeout);

/// <summary>The answer to an approval request.</summary>
/// <param name="Decision">The decision.</param>
/// <param name="DecidedBy">Who decided, when someone did.</param>
/// <param name="Comment">Why, when given.</param>
public readonly record struct ApprovalOutcome(ApprovalDecision Decision, string? DecidedBy, string? Comment);

/// <summary>Where rollbacks wait for a human acknowledgement or approval.</summary>
public interface IApprovalGate
{
    /// <summary>Waits for a decision on <paramref name="request"/> or its timeout (measured with the gate's <see cref="TimeProvider"/>).</summary>
    /// <param name="request">The approval request.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<ApprovalOutcome> WaitAsync(ApprovalRequest request, CancellationToken cancellationToken);

    /// <summary>Records a decision for a pending approval.</summary>
    /// <param name="approvalId">The approval id.</param>
    /// <param name="decision"><see cref="ApprovalDecision.Approved"/> or <see cref="ApprovalDecision.Rejected"/>.</param>
    /// <param name="decidedBy">Who decided.</param>
    /// <param name="comment">Why, optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the approval was pending and is now decided; <see langword="false"/> when unknown or already decided.</returns>
    ValueTask<bool> DecideAsync(string approvalId, ApprovalDecision decision, string decidedBy, string? comment = null, CancellationToken cancellationToken = default);
}
