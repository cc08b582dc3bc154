namespace RollbackKit.Judging;

/// <summary>Which change of a metric is bad, and so which one-sided test a judge runs.</summary>
public enum JudgeDirection
{
    /// <summary>Higher is bad (latency, errors): fails when the canary is greater than the baseline. Default.</summary>
    Increase = 0,

    /// <summary>Lower is bad (success rate, throughput): fails when the canary is less than the baseline.</summary>
    Decrease = 1,

    /// <summary>Any change is bad: a two-sided test.</summary>
    Either = 2,
}

/// <summary>How a metric with too few samples (fewer than <see cref="JudgeMetricDefinition.MinSamples"/> on either side) counts.</summary>
public enum JudgeNoDataStrategy
{
    /// <summary>Left out of the score (Kayenta's <c>Nodata</c>). Default.</summary>
    NoData = 0,

    /// <summary>Counts as passed.</summary>
    Pass = 1,

    /// <summary>Counts as failed (and fails the judgement when the metric is critical).</summary>
    Fail = 2,
}

/// <summary>
/// A statistical canary judgement, configured on a trigger as <c>Triggers:N:Judge</c>: every <see cref="Interval"/> the
/// canary's and the baseline's samples over the last <see cref="Window"/> are compared per metric with a Mann-Whitney U
/// test, and the per-metric results are aggregated into a 0-100 score (Kayenta's judge).
/// </summary>
public sealed class JudgeDefinition
{
    /// <summary>How far back the samples reach. Default: 10 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The time between samples of a range query (one sample per step). Default: 15 seconds.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the judgement runs. Default: 1 minute.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The least score (0-100) that passes. Default: 95.</summary>
    public double PassScore { get; set; } = 95;

    /// <summary>The least score (0-100) that is marginal rather than failed; at most <see cref="PassScore"/>. Default: 75.</summary>
    public double MarginalScore { get; set; } = 75;

    /// <summary>The test's confidence level: a metric differs when its p-value is below 1 − <see cref="Confidence"/>. Default: 0.95.</summary>
    public double Confidence { get; set; } = 0.95;

    /// <summary>The metrics compared; at least one.</summary>
    public List<JudgeMetricDefinition> Metrics { get; set; } = [];
}

/// <summary>One metric of a <see cref="JudgeDefinition"/>: a canary query and a baseline query over the same window.</summary>
public sealed class JudgeMetricDefinition
{
    /// <summary>Unique name within the judge, for example <c>p99_latency</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The canary's query (PromQL with target label placeholders such as <c>{{namespace}}</c>), evaluated over the window.</summary>
    public string Canary { get; set; } = string.Empty;

    /// <summary>The baseline's query, evaluated over the same window at the same steps.</summary>
    public string Baseline { get; set; } = string.Empty;

    /// <summary>Name of the history source that answers both queries. Default: the only registered one.</summary>
    public string? Source { get; set; }

    /// <summary>Which change is bad. Default: <see cref="JudgeDirection.Increase"/>.</summary>
    public JudgeDirection Direction { get; set; } = JudgeDirection.Increase;

    /// <summary>
    /// The least relative effect that can fail the metric: |median(canary) − median(baseline)| / |median(baseline)| in the bad
    /// direction; smaller differences pass even when significant. Default: 0 (any significant difference fails).
    /// </summary>
    public double EffectTolerance { get; set; }

    /// <summary>A failed critical metric fails the whole judgement, whatever the score. Default: <see langword="false"/>.</summary>
    public bool Critical { get; set; }

    /// <summary>The metric's weight in the score; greater than zero. Default: 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>The least number of samples on each side for a test. Default: 10.</summary>
    public int MinSamples { get; set; } = 10;

    /// <summary>How a metric with too few samples counts. Default: <see cref="JudgeNoDataStrategy.NoData"/>.</summary>
    public JudgeNoDataStrategy NoData { get; set; } = JudgeNoDataStrategy.NoData;
}
