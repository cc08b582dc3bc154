using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine;

/// <summary>The outcome of one trigger for one target in one tick.</summary>
internal enum VerdictOutcome : byte
{
    /// <summary>The condition did not hold (healthy), or no-data counted as pass.</summary>
    Pass = 0,

    /// <summary>The condition held (a failing measurement), or no-data counted as fail.</summary>
    Fail = 1,

    /// <summary>No data and the no-data policy is inconclusive.</summary>
    Inconclusive = 2,

    /// <summary>A value the condition reads came back as a source error.</summary>
    Error = 3,

    /// <summary>The trigger is disabled.</summary>
    Disabled = 4,
}

/// <summary>The verdict of one trigger for one target in one tick, with the values that decided.</summary>
/// <remarks>
/// A verdict does not name its target and trigger: its position does (the engine writes them target-major,
/// <c>verdicts[target * triggerCount + trigger]</c>). The properties are declared widest first so the struct packs
/// into 40 bytes (a tick writes one per target and trigger, and the monitor keeps two arrays of them).
/// </remarks>
internal readonly record struct TriggerVerdict
{
    /// <summary>Left side of the condition's top comparison (the measured value), or NaN.</summary>
    public double Actual { get; init; }

    /// <summary>Right side of the condition's top comparison (the threshold), or NaN.</summary>
    public double Threshold { get; init; }

    /// <summary>Since when the condition has failed without interruption (UTC ticks), or 0.</summary>
    public long FailingSinceUtcTicks { get; init; }

    /// <summary>Consecutive failing measurements so far.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Failing measurements in total (within the failure window when one is set; then at most <c>FailureLimit</c>).</summary>
    public int TotalFailures { get; init; }

    /// <summary>Consecutive source errors so far.</summary>
    public int ConsecutiveErrors { get; init; }

    /// <summary>This tick's measurement.</summary>
    public VerdictOutcome Outcome { get; init; }

    /// <summary>True on the tick the trigger fires (the condition held for <c>For</c>, or a failure limit was reached). Re-arms after a passing measurement.</summary>
    public bool Fired { get; init; }

    /// <summary>True on the tick consecutive source errors reach the trigger's <c>ErrorLimit</c>.</summary>
    public bool ErrorLimitReached { get; init; }
}
