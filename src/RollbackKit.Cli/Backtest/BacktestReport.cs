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
internal sealed record FireView(
    string Target,
    string Trigger,
    DateTimeOffset At,
    string Severity,
    string Action,
    string Decision,
    string Reason,
    IReadOnlyDictionary<string, double> Values);

/// <summary>One target with the history of each of its triggers.</summary>
internal sealed record TargetView(string Id, IReadOnlyList<TriggerView> Triggers);

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
