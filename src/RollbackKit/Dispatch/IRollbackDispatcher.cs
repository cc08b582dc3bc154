namespace RollbackKit.Dispatch;

/// <summary>What the dispatcher did with a request.</summary>
public enum DispatchStatus
{
    /// <summary>A new rollback was started (or queued for approval).</summary>
    Started = 0,

    /// <summary>A rollback for the same target is already pending or running; the request was recorded and joined to it.</summary>
    Joined = 1,

    /// <summary>The same deduplication key was seen before; nothing new happened.</summary>
    Duplicate = 2,

    /// <summary>Only an alert was raised (alert-only trigger, kill switch, point of no return, medium severity).</summary>
    AlertRaised = 3,

    /// <summary>
    /// The request was refused (unknown target, attempts exhausted, cooldown, a manual request shortly after a finished rollback);
    /// see <see cref="DispatchResult.Message"/>. After a finished rollback, <see cref="DispatchResult.RollbackId"/> names it.
    /// </summary>
    Refused = 4,

    /// <summary>A dry-run trigger fired: the fire was journaled (<c>DryRunFired</c>) and nothing else happened.</summary>
    DryRunRecorded = 5,
}

/// <summary>The dispatcher's answer to a request.</summary>
/// <param name="Status">What happened.</param>
/// <param name="RollbackId">
/// Id of the rollback started or joined; for a duplicate, the rollback its key led to; for a request refused because the target
/// was just rolled back, that rollback.
/// </param>
/// <param name="Message">A short explanation; for anything but a start or a join, the reason, in the words also logged and journaled.</param>
public readonly record struct DispatchResult(DispatchStatus Status, string? RollbackId, string? Message);

/// <summary>
/// The single entry point for every reason to roll back. Guarantees one rollback per target at a time: a request
/// for a target whose rollback is pending or running joins it instead of starting a second one, and within the cooldown
/// after it finished a request is answered with it (manual requests may pass <see cref="RollbackRequest.Force"/>).
/// </summary>
public interface IRollbackDispatcher
{
    /// <summary>Submits a rollback request. Returns as soon as the request is accepted; the rollback runs in the background.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels submission only, not a rollback already started.</param>
    ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default);
}
