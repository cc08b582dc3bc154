namespace RollbackKit.Judging;

/// <summary>What a judge concluded about one metric.</summary>
public enum MetricOutcome
{
    /// <summary>No significant difference in the bad direction, or one smaller than the effect tolerance.</summary>
    Pass = 0,

    /// <summary>A significant difference in the bad direction, at least the effect tolerance.</summary>
    Fail = 1,

    /// <summary>Too few samples; left out of the score.</summary>
    NoData = 2,
}

/// <summary>The classification of a whole judgement.</summary>
public enum JudgeClassification
{
    /// <summary>The score reached the pass score and no critical metric failed.</summary>
    Pass = 0,

    /// <summary>The score reached the marginal score, not the pass score, and no critical metric failed.</summary>
    Marginal = 1,

    /// <summary>The score is below the marginal score, or a critical metric failed.</summary>
    Fail = 2,

    /// <summary>No metric had enough samples.</summary>
    NoData = 3,
}

/// <summary>One metric's judgement.</summary>
public readonly record struct MetricJudgement
{
    /// <summary>Pass, fail or no data.</summary>
    public MetricOutcome Outcome { get; init; }

    /// <summary>The Mann-Whitney U of the canary sample (NaN when not tested).</summary>
    public double Statistic { get; init; }

    /// <summary>The test's p-value (NaN when not tested).</summary>
    public double PValue { get; init; }

    /// <summary>(median(canary) − median(baseline)) / |median(baseline)|; ±∞ when the baseline median is 0 and the canary's is not; NaN when not tested.</summary>
    public double Effect { get; init; }

    /// <summary>The canary sample's median (NaN when empty).</summary>
    public double CanaryMedian { get; init; }

    /// <summary>The baseline sample's median (NaN when empty).</summary>
    public double BaselineMedian { get; init; }

    /// <summary>The canary's samples (NaN excluded).</summary>
    public int CanaryCount { get; init; }

    /// <summary>The baseline's samples (NaN excluded).</summary>
    public int BaselineCount { get; init; }
}

/// <summary>The aggregate of a judgement.</summary>
/// <param name="Classification">Pass, marginal, fail or no data.</param>
/// <param name="Score">100 × the weight of passed metrics / the weight of metrics with data; 0 when a critical metric failed; NaN with no data.</param>
/// <param name="FailedMetrics">How many metrics failed.</param>
/// <param name="CriticalFailed">Whether a critical metric failed.</param>
public readonly record struct JudgeScore(JudgeClassification Classification, double Score, int FailedMetrics, bool CriticalFailed);
