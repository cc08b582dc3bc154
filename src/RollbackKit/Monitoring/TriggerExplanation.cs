using RollbackKit.Triggers;

namespace RollbackKit.Monitoring;

/// <summary>How one measurement of a trigger came out.</summary>
public enum TriggerOutcome
{
    /// <summary>The condition did not hold (healthy), or no data counted as a pass.</summary>
    Pass = 0,

    /// <summary>The condition held (a failing measurement), or no data counted as a failure.</summary>
    Fail = 1,

    /// <summary>A value the condition reads had no data and the trigger's no-data policy is inconclusive.</summary>
    NoData = 2,

    /// <summary>A value the condition reads came back as a source error.</summary>
    Error = 3,

    /// <summary>The trigger is disabled.</summary>
    Disabled = 4,
}

/// <summary>A trigger's timer for one target after a measurement: what decides whether and when it fires.</summary>
public readonly record struct TriggerTimerState
{
    /// <summary>Since when the condition has failed without interruption, or <see langword="null"/> when it is not failing.</summary>
    public DateTimeOffset? BreachingSince { get; init; }

    /// <summary>Consecutive failing measurements so far.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Failing measurements in total (within the failure window when one is set).</summary>
    public int TotalFailures { get; init; }

    /// <summary>Consecutive source errors so far.</summary>
    public int ConsecutiveErrors { get; init; }

    /// <summary>Whether the trigger has fired in the current failing episode (it re-arms after a passing measurement).</summary>
    public bool Latched { get; init; }
}

/// <summary>
/// Why a trigger did (or did not) fire for one target at one evaluation: the values its condition read, the outcome,
/// the timer and a sentence for people. The live monitor explains its last tick with it
/// (<see cref="IMonitorExplainer"/>) and a backtest records one per step.
/// </summary>
public sealed class TriggerExplanation
{
    private readonly TriggerDefinition _definition;
    private string? _why;

    /// <summary>Creates an explanation.</summary>
    /// <param name="definition">The trigger explained (its <c>For</c> and limits word <see cref="Why"/>).</param>
    /// <param name="target">The target id.</param>
    /// <param name="at">The evaluation time.</param>
    /// <param name="values">The values the condition read (queries and baselines; NaN when there was no data).</param>
    public TriggerExplanation(TriggerDefinition definition, string target, DateTimeOffset at, IReadOnlyList<MeasuredValue> values)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(values);
        _definition = definition;
        Target = target;
        At = at;
        Values = values;
    }

    /// <summary>The target id.</summary>
    public string Target { get; }

    /// <summary>The trigger name.</summary>
    public string Trigger => _definition.Name;

    /// <summary>The evaluation time.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The values the condition read, by query or baseline name (NaN when there was no data).</summary>
    public IReadOnlyList<MeasuredValue> Values { get; }

    /// <summary>How the measurement came out.</summary>
    public TriggerOutcome Outcome { get; init; }

    /// <summary>Whether the measurement failed (the condition held, or no data counted as a failure).</summary>
    public bool Failed => Outcome == TriggerOutcome.Fail;

    /// <summary>Whether the trigger fired at this evaluation.</summary>
    public bool Fired { get; init; }

    /// <summary>Whether consecutive source errors reached the trigger's error limit at this evaluation (an alert, never a rollback).</summary>
    public bool ErrorLimitReached { get; init; }

    /// <summary>The left side of the condition's top comparison (the measured value), when there is one.</summary>
    public double? Actual { get; init; }

    /// <summary>
    /// The right side of the condition's top comparison (the threshold, for example a constant or a baseline × factor),
    /// when there is one.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>The timer after this measurement.</summary>
    public TriggerTimerState State { get; init; }

    /// <summary>The first source error among the values the condition read, or <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// One sentence saying why the trigger fired or has not fired, for example
    /// <c>breaching since 12:00:15Z for 45 s of 2 min: fires in 1 min 15 s if it keeps failing</c>.
    /// </summary>
    public string Why => _why ??= ExplanationText.Why(this, _definition);

    /// <inheritdoc />
    public override string ToString() => $"{Target}/{Trigger} at {At:O}: {Outcome}; {Why}";
}
