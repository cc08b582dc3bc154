using RollbackKit.Approval;
using RollbackKit.Triggers;

namespace RollbackKit.Notifications;

/// <summary>What happened, in a notification.</summary>
public enum RollbackEventKind
{
    /// <summary>A trigger fired or a rollback was requested.</summary>
    Fired = 0,

    /// <summary>The rollback waits for an acknowledgement or approval (see <see cref="RollbackEvent.ApprovalId"/>).</summary>
    AwaitingApproval = 1,

    /// <summary>The playbook started.</summary>
    Started = 2,

    /// <summary>A playbook step finished (see <see cref="RollbackEvent.StepName"/>).</summary>
    StepCompleted = 3,

    /// <summary>A long rollback is still running.</summary>
    Progress = 4,

    /// <summary>The rollback finished and verification passed.</summary>
    Succeeded = 5,

    /// <summary>The rollback or its verification failed.</summary>
    Failed = 6,

    /// <summary>A human must act now (acknowledgement timed out, rollback failed, previous version also unhealthy).</summary>
    Escalated = 7,

    /// <summary>An alert without a rollback (alert-only trigger, kill switch, point of no return, source errors).</summary>
    Alert = 8,

    /// <summary>An approver rejected or held the rollback.</summary>
    Rejected = 9,

    /// <summary>An escalation was resolved (for example the rollback later succeeded).</summary>
    Resolved = 10,
}

/// <summary>A notification about a rollback (or an alert about a target).</summary>
public sealed class RollbackEvent
{
    /// <summary>What happened.</summary>
    public required RollbackEventKind Kind { get; init; }

    /// <summary>The rollback id, or <see langword="null"/> for an alert that started no rollback.</summary>
    public string? RollbackId { get; init; }

    /// <summary>The target.</summary>
    public required RollbackTarget Target { get; init; }

    /// <summary>Severity of the rollback or alert.</summary>
    public RollbackSeverity Severity { get; init; }

    /// <summary>One line for people.</summary>
    public required string Message { get; init; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The request that caused the rollback, when there is one.</summary>
    public RollbackRequest? Request { get; init; }

    /// <summary>With <see cref="RollbackEventKind.AwaitingApproval"/>: the id to pass to <see cref="IApprovalGate.DecideAsync"/>.</summary>
    public string? ApprovalId { get; init; }

    /// <summary>With <see cref="RollbackEventKind.StepCompleted"/>: the step name.</summary>
    public string? StepName { get; init; }

    /// <summary>With <see cref="RollbackEventKind.StepCompleted"/>: whether the step succeeded.</summary>
    public bool? StepSucceeded { get; init; }

    /// <summary>Elapsed time (step, rollback so far, or total).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Who decided (approver) or who requested.</summary>
    public string? Actor { get; init; }

    /// <summary>Where the evidence bundle was written, once known.</summary>
    public string? EvidencePath { get; init; }
}

/// <summary>
/// Sends rollback events somewhere (log, Slack, PagerDuty). Every notifier receives every event; each runs isolated with
/// its own timeout, so a notifier that throws or hangs never delays or aborts a rollback.
/// </summary>
public interface INotifier
{
    /// <summary>Name for logs and metrics, for example <c>slack</c>.</summary>
    string Name { get; }

    /// <summary>Sends one event.</summary>
    /// <param name="rollbackEvent">The event.</param>
    /// <param name="cancellationToken">Cancelled when the notifier's time is up.</param>
    ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken);
}
