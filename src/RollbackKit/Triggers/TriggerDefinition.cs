namespace RollbackKit.Triggers;

/// <summary>How bad a fired trigger is; decides the rollback policy.</summary>
public enum RollbackSeverity
{
    /// <summary>P2: alert, or wait for explicit approval; never proceeds on timeout.</summary>
    Medium = 0,

    /// <summary>P1: notify approvers and wait for an acknowledgement; proceeds and escalates on timeout.</summary>
    High = 1,

    /// <summary>P0: roll back immediately and notify.</summary>
    Critical = 2,
}

/// <summary>What a fired trigger does.</summary>
public enum TriggerAction
{
    /// <summary>Request a rollback of the target.</summary>
    Rollback = 0,

    /// <summary>Only raise an alert through the notifiers.</summary>
    AlertOnly = 1,
}

/// <summary>How a measurement without data (NaN, empty result) counts.</summary>
public enum NoDataPolicy
{
    /// <summary>Neither pass nor fail; the <c>for</c> timer keeps its state. Default.</summary>
    Inconclusive = 0,

    /// <summary>Counts as a passing measurement.</summary>
    Pass = 1,

    /// <summary>Counts as a failing measurement.</summary>
    Fail = 2,
}

/// <summary>A condition over named values that, when it holds long enough, rolls a target back. Configured under <c>RollbackKit:Triggers</c>.</summary>
public sealed class TriggerDefinition
{
    /// <summary>Unique name of the trigger, for example <c>error-rate-regression</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// The condition in RollbackKit's condition language, over query names and captured baselines, for example
    /// <c>canary_error_rate &gt; baseline_error_rate * 1.5</c>. True means the measurement failed.
    /// </summary>
    public string Condition { get; set; } = string.Empty;

    /// <summary>How long the condition must hold continuously before the trigger fires. Default: zero (fire on the first failing measurement).</summary>
    public TimeSpan For { get; set; }

    /// <summary>Severity when fired. Default: <see cref="RollbackSeverity.High"/>.</summary>
    public RollbackSeverity Severity { get; set; } = RollbackSeverity.High;

    /// <summary>What happens when fired. Default: <see cref="TriggerAction.Rollback"/>.</summary>
    public TriggerAction Action { get; set; } = TriggerAction.Rollback;

    /// <summary>Fire once this many measurements have failed in total (within <see cref="FailureWindow"/> when set). Default: 0, disabled.</summary>
    public int FailureLimit { get; set; }

    /// <summary>When set with <see cref="FailureLimit"/>, only failures within this sliding window count. Default: unset (since start).</summary>
    public TimeSpan? FailureWindow { get; set; }

    /// <summary>Fire once this many consecutive measurements have failed. Default: 0, disabled.</summary>
    public int ConsecutiveFailureLimit { get; set; }

    /// <summary>How a measurement without data counts. Default: <see cref="NoDataPolicy.Inconclusive"/>.</summary>
    public NoDataPolicy NoData { get; set; } = NoDataPolicy.Inconclusive;

    /// <summary>Consecutive source errors after which an alert is raised (errors never roll back by themselves). Default: 3.</summary>
    public int ErrorLimit { get; set; } = 3;

    /// <summary>Evaluate and record, but never act. Default: <see langword="false"/>.</summary>
    public bool DryRun { get; set; }

    /// <summary>Whether the trigger is evaluated at all. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Human-readable description used in notifications. Optional.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Makes this a judge trigger: instead of a <see cref="Condition"/>, a statistical comparison of canary and baseline
    /// samples over a window (see <c>docs/judge.md</c>); it fires when the judgement fails. Default: unset.
    /// </summary>
    public Judging.JudgeDefinition? Judge { get; set; }
}
