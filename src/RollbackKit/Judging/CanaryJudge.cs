using RollbackKit.Judging.Internal;

namespace RollbackKit.Judging;

/// <summary>
/// Judges a canary against its baseline per metric with a one- or two-sided Mann-Whitney U test and an effect-size
/// tolerance, and aggregates the metrics into a 0-100 score with weights, critical metrics and pass/marginal thresholds
/// (Kayenta's judge). Thread-safe and allocation-free: samples are copied and sorted in pooled buffers.
/// </summary>
public sealed class CanaryJudge
{
    private readonly MetricSettings[] _metrics;
    private readonly double _alpha;
    private readonly double _passScore;
    private readonly double _marginalScore;

    /// <summary>Creates a judge.</summary>
    /// <param name="definition">The judge's settings; copied.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and its value.</exception>
    public CanaryJudge(JudgeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = JudgeValidation.Validate(definition, "Judge");
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(definition));
        }

        _alpha = 1 - definition.Confidence;
        _passScore = definition.PassScore;
        _marginalScore = definition.MarginalScore;
        _metrics = new MetricSettings[definition.Metrics.Count];
        var names = new string[_metrics.Length];
        for (var i = 0; i < _metrics.Length; i++)
        {
            var m = definition.Metrics[i];
            names[i] = m.Name;
            _metrics[i] = new MetricSettings(m.Direction, m.EffectTolerance, m.Critical, m.Weight, m.MinSamples, m.NoData);
        }

        MetricNames = names;
    }

    /// <summary>The metric names, in configuration order; metric <c>i</c> is judged by <see cref="JudgeMetric"/> with index <c>i</c>.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>Judges one metric. NaN samples are ignored.</summary>
    /// <param name="metricIndex">Index into <see cref="MetricNames"/>.</param>
    /// <param name="canary">The canary's samples.</param>
    /// <param name="baseline">The baseline's samples.</param>
    public MetricJudgement JudgeMetric(int metricIndex, ReadOnlySpan<double> canary, ReadOnlySpan<double> baseline)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(metricIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(metricIndex, _metrics.Length);
        var settings = _metrics[metricIndex];
        var pool = JudgeBuffers.Pool;
        var canaryBuffer = pool.Rent(Math.Max(1, canary.Length));
        var baselineBuffer = pool.Rent(Math.Max(1, baseline.Length));
        try
        {
            var c = CopyValues(canary, canaryBuffer);
            var b = CopyValues(baseline, baselineBuffer);
            c.Sort();
            b.Sort();
            var canaryMedian = Median(c);
            var baselineMedian = Median(b);
            if (c.Length < settings.MinSamples || b.Length < settings.MinSamples)
            {
                var outcome = settings.NoData switch
                {
                    JudgeNoDataStrategy.Pass => MetricOutcome.Pass,
                    JudgeNoDataStrategy.Fail => MetricOutcome.Fail,
                    _ => MetricOutcome.NoData,
                };
                return new MetricJudgement
                {
                    Outcome = outcome,
                    Statistic = double.NaN,
                    PValue = double.NaN,
                    Effect = double.NaN,
                    CanaryMedian = canaryMedian,
                    BaselineMedian = baselineMedian,
                    CanaryCount = c.Length,
                    BaselineCount = b.Length,
                };
            }

            var alternative = settings.Direction switch
            {
                JudgeDirection.Increase => MannWhitneyAlternative.Greater,
                JudgeDirection.Decrease => MannWhitneyAlternative.Less,
                _ => MannWhitneyAlternative.TwoSided,
            };
            var test = MannWhitneyU.TestSorted(c, b, alternative, useContinuity: true, MannWhitneyMethod.Auto);
            var effect = Effect(canaryMedian, baselineMedian);
            var badEffect = settings.Direction switch
            {
                JudgeDirection.Increase => effect,
                JudgeDirection.Decrease => -effect,
                _ => Math.Abs(effect),
            };
            var failed = test.PValue < _alpha && badEffect >= settings.EffectTolerance;
            return new MetricJudgement
            {
                Outcome = failed ? MetricOutcome.Fail : MetricOutcome.Pass,
                Statistic = test.Statistic,
                PValue = test.PValue,
                Effect = effect,
                CanaryMedian = canaryMedian,
                BaselineMedian = baselineMedian,
                CanaryCount = c.Length,
                BaselineCount = b.Length,
            };
        }
        finally
        {
            pool.Return(canaryBuffer);
            pool.Return(baselineBuffer);
        }
    }

    /// <summary>
    /// Aggregates metric judgements (index-aligned with <see cref="MetricNames"/>): the score is 100 × the weight of passed
    /// metrics over the weight of metrics with data; a failed critical metric fails the judgement with score 0.
    /// </summary>
    /// <param name="metrics">One judgement per metric.</param>
    /// <exception cref="ArgumentException"><paramref name="metrics"/> does not hold one judgement per metric.</exception>
    public JudgeScore Score(ReadOnlySpan<MetricJudgement> metrics)
    {
        if (metrics.Length != _metrics.Length)
        {
            throw new ArgumentException($"Expected {_metrics.Length} metric judgements, got {metrics.Length}.", nameof(metrics));
        }

        double passed = 0, counted = 0;
        var failed = 0;
        var criticalFailed = false;
        for (var i = 0; i < metrics.Length; i++)
        {
            var weight = _metrics[i].Weight;
            switch (metrics[i].Outcome)
            {
                case MetricOutcome.Pass:
                    passed += weight;
                    counted += weight;
                    break;
                case MetricOutcome.Fail:
                    counted += weight;
                    failed++;
                    criticalFailed |= _metrics[i].Critical;
                    break;
            }
        }

        if (criticalFailed)
        {
            return new JudgeScore(JudgeClassification.Fail, 0, failed, true);
        }

        if (counted == 0)
        {
            return new JudgeScore(JudgeClassification.NoData, double.NaN, 0, false);
        }

        var score = 100 * passed / counted;
        var classification = score >= _passScore ? JudgeClassification.Pass
            : score >= _marginalScore ? JudgeClassification.Marginal
            : JudgeClassification.Fail;
        return new JudgeScore(classification, score, failed, false);
    }

    /// <summary>The relative effect (median(canary) − median(baseline)) / |median(baseline)|.</summary>
    internal static double Effect(double canaryMedian, double baselineMedian)
    {
        if (baselineMedian == 0)
        {
            return canaryMedian == 0 ? 0 : canaryMedian > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        }

        return (canaryMedian - baselineMedian) / Math.Abs(baselineMedian);
    }

    private static Span<double> CopyValues(ReadOnlySpan<double> source, double[] buffer)
    {
        var count = 0;
        foreach (var value in source)
        {
            if (!double.IsNaN(value))
            {
                buffer[count++] = value;
            }
        }

        return buffer.AsSpan(0, count);
    }

    private static double Median(ReadOnlySpan<double> sorted)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private readonly record struct MetricSettings(
        JudgeDirection Direction,
        double EffectTolerance,
        bool Critical,
        double Weight,
        int MinSamples,
        JudgeNoDataStrategy NoData);
}
