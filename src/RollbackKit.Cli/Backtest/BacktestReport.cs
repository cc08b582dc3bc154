namespace RollbackKit.Cli.Backtest;

/// <summary>
/// What the CLI prints, writes as JSON and draws in the HTML report: a view of the library's backtest result, mapped in
/// <see cref="BacktestReportMapper"/> (the only place that knows the library's result types).
/// </summary>
internal sealed record BacktestReport(
    DateTimeOffset From,
    DateTimeOffset To,
    TimeSpan Step,
    IReadOnlyList<FireView> Fires,
    IReadOnlyList<TargetView> Targets,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings);

/// <summary>One moment a trigger fired, and what the dispatcher would have decided.</summary>
/// <param name="Target">The target id.</param>
/// <param name="Trigger">The trigger name.</param>
/// <param name="At">The step at which it fired.</param>
/// <param name="Severity">The trigger's severity.</param>
/// <param name="Action">The trigger's action (rollback or alert).</param>
/// <param name="Decision">What admission would have decided (<c>Started</c>, <c>Joined</c>, <c>AlertRaised</c>, <c>Refused</c>, <c>DryRunRecorded</c>).</param>
/// <param name="Reason">Why admission decided so.</param>
/// <param name="Values">The query values that made it fire (NaN when a value had no data).</param>
/// <param name="Group">The coordinated group the target is a member of, decided for as a whole; <see langword="null"/> for a target in no group.</param>
/// <param name="RollbackId">The rollback the decision refers to (started, joined, or whose cooldown refused it), or <see langword="null"/>.</param>
internal sealed record FireView(
    string Target,
    string Trigger,
    DateTimeOffset At,
    string Severity,
    string Action,
    string Decision,
    string Reason,
    IReadOnlyDictionary<string, double> Values,
    string? Group = null,
    string? RollbackId = null);

/// <summary>One target with the history of each of its condition triggers and each of its judge triggers.</summary>
internal sealed record TargetView(string Id, IReadOnlyList<TriggerView> Triggers, IReadOnlyList<JudgeView> Judges);

/// <summary>One judge trigger of a target over the replayed range.</summary>
/// <param name="Name">The trigger name.</param>
/// <param name="Metrics">The judged metrics' names, in configuration order.</param>
/// <param name="Window">How far back each judgement's samples reach.</param>
/// <param name="Step">The time between samples within a window.</param>
/// <param name="Interval">The time between judgements.</param>
/// <param name="PassScore">The least score that passes.</param>
/// <param name="MarginalScore">The least score that is marginal rather than failed.</param>
/// <param name="Points">One point per judgement.</param>
internal sealed record JudgeView(
    string Name,
    IReadOnlyList<string> Metrics,
    TimeSpan Window,
    TimeSpan Step,
    TimeSpan Interval,
    double PassScore,
    double MarginalScore,
    IReadOnlyList<JudgePointView> Points);

/// <summary>One judgement of one target.</summary>
/// <param name="At">The judgement's time (the end of its window).</param>
/// <param name="Classification"><c>Pass</c>, <c>Marginal</c>, <c>Fail</c>, <c>NoData</c>, or <see langword="null"/> when a source error prevented it.</param>
/// <param name="Score">The 0-100 score; NaN with no data or an error.</param>
/// <param name="FailedMetrics">The names of the metrics that failed.</param>
/// <param name="Metrics">Per metric: outcome, p-value, effect, medians and sample counts (empty on an error).</param>
/// <param name="Fired">True when this judgement fired (sent to the dispatcher).</param>
/// <param name="Error">The source error, or <see langword="null"/>.</param>
/// <param name="Disabled">True when the judge trigger is disabled (nothing was judged).</param>
internal sealed record JudgePointView(
    DateTimeOffset At,
    string? Classification,
    double Score,
    IReadOnlyList<string> FailedMetrics,
    IReadOnlyList<JudgeMetricView> Metrics,
    bool Fired,
    string? Error,
    bool Disabled = false)
{
    /// <summary>The point's state in the report's timeline (see <see cref="JudgeStates"/>).</summary>
    public string State => Disabled ? JudgeStates.Disabled
        : Error is not null ? JudgeStates.Error
        : Classification switch
        {
            "Pass" => JudgeStates.Pass,
            "Marginal" => JudgeStates.Marginal,
            "Fail" => JudgeStates.Fail,
            _ => JudgeStates.NoData,
        };
}

/// <summary>One metric of one judgement.</summary>
/// <param name="Name">The metric name.</param>
/// <param name="Outcome"><c>Pass</c>, <c>Fail</c> or <c>NoData</c>.</param>
/// <param name="PValue">The test's p-value (NaN when not tested).</param>
/// <param name="Effect">(median(canary) − median(baseline)) / |median(baseline)| (NaN when not tested).</param>
/// <param name="CanaryMedian">The canary sample's median.</param>
/// <param name="BaselineMedian">The baseline sample's median.</param>
/// <param name="CanaryCount">The canary's samples.</param>
/// <param name="BaselineCount">The baseline's samples.</param>
internal sealed record JudgeMetricView(
    string Name,
    string Outcome,
    double PValue,
    double Effect,
    double CanaryMedian,
    double BaselineMedian,
    int CanaryCount,
    int BaselineCount);

/// <summary>The states a judgement reports, in the JSON and the report's timeline.</summary>
internal static class JudgeStates
{
    /// <summary>The score reached the pass score.</summary>
    public const string Pass = "pass";

    /// <summary>The score reached the marginal score, not the pass score.</summary>
    public const string Marginal = "marginal";

    /// <summary>The score is below the marginal score, or a critical metric failed.</summary>
    public const string Fail = "fail";

    /// <summary>No metric had enough samples.</summary>
    public const string NoData = "no-data";

    /// <summary>A source error prevented the judgement.</summary>
    public const string Error = "error";

    /// <summary>The judge trigger is disabled: nothing was judged.</summary>
    public const string Disabled = "disabled";
}

/// <summary>One trigger of a target over the replayed range.</summary>
/// <param name="Name">The trigger name.</param>
/// <param name="Condition">The trigger's condition text, shown above its chart.</param>
/// <param name="Points">One point per step.</param>
internal sealed record TriggerView(string Name, string Condition, IReadOnlyList<PointView> Points);

/// <summary>One step of one trigger.</summary>
/// <param name="At">The step's time.</param>
/// <param name="Values">The query values read at this step (NaN for no data).</param>
/// <param name="Failed">True when the condition held (a breach).</param>
/// <param name="State">The trigger's timer state after this step (see <see cref="PointStates"/>).</param>
/// <param name="Outcome">How the measurement came out (<c>Pass</c>, <c>Fail</c>, <c>NoData</c>, <c>Error</c>, <c>Disabled</c>).</param>
/// <param name="Actual">The left side of the condition's top comparison, NaN when there is none.</param>
/// <param name="Threshold">The right side of the condition's top comparison (a threshold, or baseline × factor), NaN when there is none.</param>
/// <param name="Why">One sentence: why the trigger fired or has not.</param>
internal sealed record PointView(
    DateTimeOffset At,
    IReadOnlyDictionary<string, double> Values,
    bool Failed,
    string State,
    string Outcome,
    double Actual,
    double Threshold,
    string Why);

/// <summary>The timer states a point reports, in the JSON and the report's timeline.</summary>
internal static class PointStates
{
    /// <summary>Healthy: the condition does not hold, nothing is running.</summary>
    public const string Ok = "ok";

    /// <summary>The condition holds and the <c>For</c> timer runs; not fired yet.</summary>
    public const string Breaching = "breaching";

    /// <summary>Fired in this failing episode; re-arms after a passing measurement.</summary>
    public const string Fired = "fired";

    /// <summary>No data and the policy is inconclusive: the timer keeps its state.</summary>
    public const string NoData = "no-data";

    /// <summary>A value the condition reads was a source error.</summary>
    public const string Error = "error";

    /// <summary>The trigger is disabled.</summary>
    public const string Disabled = "disabled";
}
