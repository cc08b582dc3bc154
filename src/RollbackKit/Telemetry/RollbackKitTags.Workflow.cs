namespace RollbackKit.Telemetry;

/// <summary>Tag names of the dispatch, approval, workflow, playbook and notification spans.</summary>
public static partial class RollbackKitTags
{
    /// <summary>A playbook step's name.</summary>
    public const string StepName = "rollbackkit.step.name";

    /// <summary>How many attempts a playbook step took (retries included).</summary>
    public const string StepAttempts = "rollbackkit.step.attempts";

    /// <summary>An approval's id (carried by notifications, for example in chat buttons).</summary>
    public const string ApprovalId = "rollbackkit.approval.id";

    /// <summary>Whether a rollback run was resumed from the journal.</summary>
    public const string Resumed = "rollbackkit.rollback.resumed";

    /// <summary>The kind of a notified event (<c>Fired</c>, <c>Started</c>, <c>Succeeded</c>, …).</summary>
    public const string EventKind = "rollbackkit.event.kind";
}
