using RollbackKit.Judging;

namespace RollbackKit.Tests.Judging;

public class CanaryJudgeTests
{
    [Fact]
    public void JudgeMetric_CanaryTenPercentHigher_FailsIncreaseMetric()
    {
        var judge = new CanaryJudge(Definition(Metric("latency", tolerance: 0.05)));
        var baseline = Series(60, 100, seed: 1);
        var canary = Series(60, 110, seed: 2);

        var result = judge.JudgeMetric(0, canary, baseline);

        Assert.Equal(MetricOutcome.Fail, result.Outcome);
        Assert.True(result.PValue < 1e-6, $"p {result.PValue}");
        Assert.InRange(result.Effect, 0.07, 0.13);
        Assert.Equal(MannWhitneyU.Test(canary, baseline, MannWhitneyAlternative.Greater).PValue, result.PValue);
        Assert.Equal(60, result.CanaryCount);
    }

    [Fact]
    public void JudgeMetric_SignificantButBelowTolerance_Passes()
    {
        var judge = new CanaryJudge(Definition(Metric("latency", tolerance: 0.05)));
        var baseline = Series(500, 100, seed: 3, spread: 0.5);
        var canary = Series(500, 101, seed: 4, spread: 0.5);

        var result = judge.JudgeMetric(0, canary, baseline);

        Assert.True(result.PValue < 0.05, $"the 1% shift is significant here (p {result.PValue})");
        Assert.InRange(result.Effect, 0.005, 0.02);
        Assert.Equal(MetricOutcome.Pass, result.Outcome);
    }

    [Theory]
    [InlineData(JudgeDirection.Increase, 110, MetricOutcome.Fail)]
    [InlineData(JudgeDirection.Increase, 90, MetricOutcome.Pass)]
    [InlineData(JudgeDirection.Decrease, 110, MetricOutcome.Pass)]
    [InlineData(JudgeDirection.Decrease, 90, MetricOutcome.Fail)]
    [InlineData(JudgeDirection.Either, 110, MetricOutcome.Fail)]
    [InlineData(JudgeDirection.Either, 90, MetricOutcome.Fail)]
    [InlineData(JudgeDirection.Either, 100, MetricOutcome.Pass)]
    public void JudgeMetric_Direction_FailsOnlyTheBadWay(JudgeDirection direction, double canaryMean, MetricOutcome expected)
    {
        var metric = Metric("m");
        metric.Direction = direction;
        var judge = new CanaryJudge(Definition(metric));

        var result = judge.JudgeMetric(0, Series(50, canaryMean, seed: 5), Series(50, 100, seed: 5));

        Assert.Equal(expected, result.Outcome);
    }

    [Theory]
    [InlineData(JudgeNoDataStrategy.NoData, MetricOutcome.NoData)]
    [InlineData(JudgeNoDataStrategy.Pass, MetricOutcome.Pass)]
    [InlineData(JudgeNoDataStrategy.Fail, MetricOutcome.Fail)]
    public void JudgeMetric_TooFewSamples_FollowsNoDataStrategy(JudgeNoDataStrategy strategy, MetricOutcome expected)
    {
        var metric = Metric("m");
        metric.MinSamples = 20;
        metric.NoData = strategy;
        var judge = new CanaryJudge(Definition(metric));
        var canary = Series(30, 200, seed: 6);
        canary.AsSpan(0, 15).Fill(double.NaN); // 15 real samples: fewer than 20

        var result = judge.JudgeMetric(0, canary, Series(30, 100, seed: 7));

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(15, result.CanaryCount);
        Assert.True(double.IsNaN(result.PValue));
    }

    [Fact]
    public void JudgeMetric_ZeroBaselineMedian_EffectIsInfinite()
    {
        var judge = new CanaryJudge(Definition(Metric("errors", tolerance: 0.5)));

        var result = judge.JudgeMetric(0, Enumerable.Repeat(3.0, 20).ToArray(), Enumerable.Repeat(0.0, 20).ToArray());

        Assert.Equal(double.PositiveInfinity, result.Effect);
        Assert.Equal(MetricOutcome.Fail, result.Outcome);
    }

    [Fact]
    public void Score_WeightsAndThresholds_Classify()
    {
        var judge = new CanaryJudge(Definition(Metric("a"), Metric("b"), Metric("c", weight: 2), Metric("d", weight: 4)));
        static MetricJudgement Outcome(MetricOutcome o) => new() { Outcome = o };

        var all = judge.Score([Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass)]);
        var oneLight = judge.Score([Outcome(MetricOutcome.Fail), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass)]);
        var heavy = judge.Score([Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Fail)]);
        var noDataLeftOut = judge.Score([Outcome(MetricOutcome.NoData), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass), Outcome(MetricOutcome.Pass)]);
        var none = judge.Score([Outcome(MetricOutcome.NoData), Outcome(MetricOutcome.NoData), Outcome(MetricOutcome.NoData), Outcome(MetricOutcome.NoData)]);

        Assert.Equal(new JudgeScore(JudgeClassification.Pass, 100, 0, false), all);
        Assert.Equal(100 * 7 / 8.0, oneLight.Score);                // 87.5: below 95, at least 75
        Assert.Equal(JudgeClassification.Marginal, oneLight.Classification);
        Assert.Equal(50, heavy.Score);
        Assert.Equal(JudgeClassification.Fail, heavy.Classification);
        Assert.Equal(1, heavy.FailedMetrics);
        Assert.Equal(100, noDataLeftOut.Score);
        Assert.Equal(JudgeClassification.NoData, none.Classification);
        Assert.True(double.IsNaN(none.Score));
    }

    [Fact]
    public void Score_CriticalMetricFails_FailsWithScoreZero()
    {
        var critical = Metric("errors", weight: 1);
        critical.Critical = true;
        var judge = new CanaryJudge(Definition(critical, Metric("a", weight: 100)));

        var score = judge.Score([new() { Outcome = MetricOutcome.Fail }, new() { Outcome = MetricOutcome.Pass }]);

        Assert.Equal(new JudgeScore(JudgeClassification.Fail, 0, 1, true), score);
    }

    [Fact]
    public void Constructor_InvalidDefinition_NamesKeyAndValue()
    {
        var metric = Metric("a");
        metric.Weight = -1;
        var definition = Definition(metric);
        definition.MarginalScore = 99;

        var ex = Assert.Throws<ArgumentException>(() => new CanaryJudge(definition));

        Assert.Contains("Judge:Metrics:0:Weight: must be greater than zero (was -1)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Judge:MarginalScore: must be between 0 and PassScore (95) (was 99)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Judgement_AfterWarmUp_AllocatesNothing()
    {
        var judge = new CanaryJudge(Definition(Metric("latency", tolerance: 0.05), Metric("errors"), Metric("small")));
        var canary = Series(500, 110, seed: 8);
        var baseline = Series(500, 100, seed: 9);
        var smallCanary = Series(6, 110, seed: 10); // exact p-value path
        var results = new MetricJudgement[3];
        JudgeScore score = default;
        void Judge()
        {
            results[0] = judge.JudgeMetric(0, canary, baseline);
            results[1] = judge.JudgeMetric(1, baseline, canary);
            results[2] = judge.JudgeMetric(2, smallCanary, baseline);
            score = judge.Score(results);
        }

        for (var i = 0; i < 10; i++)
        {
            Judge();
        }

        // Whatever else the process does to the shared pool (here: its arrays of every size the judge uses are taken and
        // never returned, as a full collection's trimming also empties it) does not make the judge allocate.
        DrainSharedPool();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Judge();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(MetricOutcome.Fail, results[0].Outcome);
        Assert.Equal(MetricOutcome.Pass, results[1].Outcome);
        Assert.Equal(JudgeClassification.Fail, score.Classification);
    }

    private static void DrainSharedPool()
    {
        for (var length = 16; length <= 4096; length *= 2)
        {
            for (var i = 0; i < 64; i++)
            {
                _ = System.Buffers.ArrayPool<double>.Shared.Rent(length);
            }
        }
    }

    internal static JudgeMetricDefinition Metric(string name, double tolerance = 0, double weight = 1) => new()
    {
        Name = name,
        Canary = name + "{track=\"canary\"}",
        Baseline = name + "{track=\"baseline\"}",
        EffectTolerance = tolerance,
        Weight = weight,
        MinSamples = 5,
    };

    internal static JudgeDefinition Definition(params JudgeMetricDefinition[] metrics) => new() { Metrics = [.. metrics] };

    /// <summary>Deterministic samples around <paramref name="mean"/> (normal, standard deviation <paramref name="spread"/> % of 100).</summary>
    internal static double[] Series(int count, double mean, int seed, double spread = 3)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = mean + (spread * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }
}
