namespace RollbackKit.Telemetry;

/// <summary>Tag names used on RollbackKit's metrics and spans. Adapters use the same names for the same things.</summary>
public static partial class RollbackKitTags
{
    /// <summary>The target's id (<see cref="RollbackTarget.Id"/>).</summary>
    public const string TargetId = "rollbackkit.target.id";

    /// <summary>The rollback run's id.</summary>
    public const string RollbackId = "rollbackkit.rollback.id";

    /// <summary>A trigger's name.</summary>
    public const string Trigger = "rollbackkit.trigger.name";

    /// <summary>A metric query's name.</summary>
    public const string Query = "rollbackkit.query.name";

    /// <summary>A metric source's name.</summary>
    public const string Source = "rollbackkit.source.name";

    /// <summary>A playbook step's type (<c>kubernetes.undo</c>, <c>http</c>, …).</summary>
    public const string StepType = "rollbackkit.step.type";

    /// <summary>A playbook step's position in the playbook, from 0.</summary>
    public const string StepIndex = "rollbackkit.step.index";

    /// <summary>A notifier's name.</summary>
    public const string Notifier = "rollbackkit.notifier.name";

    /// <summary>A severity (<c>P0</c>…<c>P3</c>).</summary>
    public const string Severity = "rollbackkit.severity";

    /// <summary>What caused a request: trigger, manual, incident, policy breach, alert.</summary>
    public const string TriggerType = "rollbackkit.trigger.type";

    /// <summary>An outcome: <c>pass</c>/<c>fail</c>/<c>error</c> for verdicts, <c>succeeded</c>/<c>failed</c> for steps and rollbacks.</summary>
    public const string Outcome = "rollbackkit.outcome";

    /// <summary>A dispatch decision: <c>started</c>, <c>joined</c>, <c>duplicate</c>, <c>alert</c>, <c>refused</c>.</summary>
    public const string Decision = "rollbackkit.decision";

    /// <summary>A workflow state (<c>RollingBack</c>, <c>Verifying</c>, …).</summary>
    public const string State = "rollbackkit.state";

    /// <summary>Whether a fired trigger is a dry run (<see langword="true"/>/<see langword="false"/>).</summary>
    public const string DryRun = "rollbackkit.dry_run";

    /// <summary>How many targets a monitor tick evaluated.</summary>
    public const string TargetCount = "rollbackkit.target.count";

    /// <summary>How many triggers fired in a monitor tick or an evaluation (dry-run included).</summary>
    public const string FiredCount = "rollbackkit.fired.count";

    /// <summary>Whether a verified target is healthy (<see langword="true"/>/<see langword="false"/>).</summary>
    public const string Healthy = "rollbackkit.healthy";
}
