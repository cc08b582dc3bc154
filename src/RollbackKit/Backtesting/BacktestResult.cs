using RollbackKit.Dispatch;
using RollbackKit.Judging;
using RollbackKit.Monitoring;
using RollbackKit.Triggers;

namespace RollbackKit.Backtesting;

/// <summary>What a configuration would have done over a range of history.</summary>
public sealed class BacktestResult
{
    /// <summary>The first step's instant.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>The last step's instant.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The time between steps.</summary>
    public required TimeSpan Step { get; init; }

    /// <summary>
    /// Every moment a trigger fired (condition and judge triggers alike), in time order, with what the dispatcher would have
    /// decided.
    /// </summary>
    public required IReadOnlyList<BacktestFire> Fires { get; init; }

    /// <summary>Per target, per trigger, every step's explanation.</summary>
    public required IReadOnlyList<BacktestTarget> Targets { get; init; }

    /// <summary>
    /// Every distinct error the history sources answered with (each naming its query), in the order first seen; empty when
    /// every query answered. Errors were replayed as errors (never as no data), as the monitor would have seen them.
    /// </summary>
    public required IReadOnlyList<string> Errors { get; init; }

    /// <summary>Every distinct warning the history sources reported (each naming its query); empty when none.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>One moment a trigger fired for a target, and what the dispatcher would have done with it.</summary>
public sealed class BacktestFire
{
    /// <summary>The target id.</summary>
    public required string Target { get; init; }

    /// <summary>The trigger name.</summary>
    public required string Trigger { get; init; }

    /// <summary>When it fired (a step's instant).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The trigger's severity.</summary>
    public required RollbackSeverity Severity { get; init; }

    /// <summary>The trigger's action (rollback or alert only).</summary>
    public required TriggerAction Action { get; init; }

    /// <summary>Whether the trigger is in dry run (the fire would have been recorded, not acted on).</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// What the dispatcher would have decided: <see cref="DispatchStatus.Started"/> (a rollback), <see cref="DispatchStatus.Joined"/>
    /// (joins a rollback assumed still running), <see cref="DispatchStatus.AlertRaised"/>, <see cref="DispatchStatus.Refused"/>
    /// (cooldown, attempts) or <see cref="DispatchStatus.DryRunRecorded"/>.
    /// </summary>
    public required DispatchStatus Decision { get; init; }

    /// <summary>Why, in the words the dispatcher would have logged and journaled.</summary>
    public required string DecisionReason { get; init; }

    /// <summary>
    /// The coordinated group (<c>RollbackKit:Groups</c>) the target is a member of; its fires are decided for the group as a whole
    /// (they start, join or are refused the group's one rollback, or alert for it); <see langword="null"/> for a target in no group.
    /// </summary>
    public string? Group { get; init; }

    /// <summary>
    /// The rollback the decision refers to: the one started or joined, or the one whose cooldown refused the fire
    /// (<c>backtest-N</c>); <see langword="null"/> when there is none.
    /// </summary>
    public string? RollbackId { get; init; }

    /// <summary>The request's reason (trigger, condition, actual and threshold).</summary>
    public required string Reason { get; init; }

    /// <summary>The values the condition read, by query or baseline name (NaN when there was no data).</summary>
    public required IReadOnlyDictionary<string, double> Values { get; init; }

    /// <summary>When the condition started failing in this episode.</summary>
    public DateTimeOffset BreachingSince { get; init; }
}

/// <summary>One target's triggers over the range.</summary>
public sealed class BacktestTarget
{
    /// <summary>The target id.</summary>
    public required string Id { get; init; }

    /// <summary>One entry per configured condition trigger, in configuration order (judge triggers are in <see cref="Judges"/>).</summary>
    public required IReadOnlyList<BacktestTrigger> Triggers { get; init; }

    /// <summary>
    /// One entry per judge trigger (<c>Triggers:N:Judge</c>), in configuration order; empty when there is none. A disabled one has a
    /// <see cref="BacktestJudgePoint.Disabled"/> point at each instant it would have judged.
    /// </summary>
    public IReadOnlyList<BacktestJudge> Judges { get; init; } = [];
}

/// <summary>One judge trigger of one target over the range: its settings, one judgement per interval, and its fires.</summary>
public sealed class BacktestJudge
{
    /// <summary>The trigger name.</summary>
    public required string Name { get; init; }

    /// <summary>The judged metrics' names, in configuration order (the order of each point's <see cref="BacktestJudgePoint.Metrics"/>).</summary>
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>How far back each judgement's samples reach.</summary>
    public TimeSpan Window { get; init; }

    /// <summary>The time between samples within a window.</summary>
    public TimeSpan Step { get; init; }

    /// <summary>The time between judgements (the first is at the backtest's start).</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>The least score that passes.</summary>
    public double PassScore { get; init; }

    /// <summary>The least score that is marginal rather than failed.</summary>
    public double MarginalScore { get; init; }

    /// <summary>One judgement per interval, in time order.</summary>
    public required IReadOnlyList<BacktestJudgePoint> Points { get; init; }

    /// <summary>The fires of this judge for this target (also in <see cref="BacktestResult.Fires"/>), in time order.</summary>
    public required IReadOnlyList<BacktestFire> Fires { get; init; }
}

/// <summary>One judgement of one target: the score and classification, or the source error that prevented it.</summary>
public sealed class BacktestJudgePoint
{
    /// <summary>The judgement's instant (the end of its window).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Pass, marginal, fail or no data; <see langword="null"/> when a source error prevented the judgement.</summary>
    public JudgeClassification? Classification { get; init; }

    /// <summary>The 0-100 score; NaN with no data or an error; 0 when a critical metric failed.</summary>
    public double Score { get; init; }

    /// <summary>The names of the metrics that failed, in configuration order.</summary>
    public required IReadOnlyList<string> FailedMetrics { get; init; }

    /// <summary>Per metric (index-aligned with <see cref="BacktestJudge.Metrics"/>): p-value, effect, medians, sample counts; empty on an error.</summary>
    public required IReadOnlyList<MetricJudgement> Metrics { get; init; }

    /// <summary>The source error that prevented the judgement, or <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Whether the judge trigger is disabled (<c>Enabled: false</c>): nothing was judged at this instant (no classification, score NaN),
    /// as a disabled condition trigger's steps have the <see cref="TriggerOutcome.Disabled"/> outcome.
    /// </summary>
    public bool Disabled { get; init; }

    /// <summary>
    /// Whether this judgement fired: it failed after a judgement that did not (or the first), and was sent to the dispatcher.
    /// A failed judgement that does not fire is one of an episode that already fired.
    /// </summary>
    public bool Fired { get; init; }
}

/// <summary>One trigger of one target over the range: its settings and one explanation per step.</summary>
public sealed class BacktestTrigger
{
    /// <summary>The trigger name.</summary>
    public required string Name { get; init; }

    /// <summary>The condition text.</summary>
    public required string Condition { get; init; }

    /// <summary>How long the condition must hold before the trigger fires.</summary>
    public TimeSpan For { get; init; }

    /// <summary>The names of the values (queries and baselines) the condition reads, in the order of each point's values.</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <summary>
    /// One explanation per step, in time order: values, outcome (<see cref="TriggerExplanation.Failed"/>), timer state,
    /// actual and threshold (a constant or baseline × factor) and why it did or did not fire. The same type the live
    /// monitor explains its last tick with.
    /// </summary>
    public required IReadOnlyList<TriggerExplanation> Points { get; init; }
}
