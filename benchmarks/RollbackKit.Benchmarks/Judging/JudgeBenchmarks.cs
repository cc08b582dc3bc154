using BenchmarkDotNet.Attributes;
using RollbackKit.Judging;
using RollbackKit.Judging.Internal;

namespace RollbackKit.Benchmarks.Judging;

/// <summary>
/// One metric's judgement (Mann-Whitney U, one-sided, tie and continuity corrected, plus both medians for the effect size)
/// at n samples per side. Baseline: a straightforward LINQ implementation of the same test (OrderBy for ranks, GroupBy for
/// ties and average ranks, OrderBy again for the medians). Ours: <see cref="CanaryJudge.JudgeMetric"/> (pooled buffers,
/// two span sorts and one merge walk).
/// </summary>
[MemoryDiagnoser]
public class JudgeBenchmarks
{
    private double[] _canary = [];
    private double[] _baseline = [];
    private CanaryJudge _judge = null!;

    [Params(50, 500, 5000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _baseline = Sample(random, N, 100);
        _canary = Sample(random, N, 105);
        _judge = new CanaryJudge(new JudgeDefinition
        {
            Metrics = { new JudgeMetricDefinition { Name = "latency", Canary = "c", Baseline = "b", EffectTolerance = 0.01 } },
        });
        var ours = _judge.JudgeMetric(0, _canary, _baseline);
        var linq = Linq(_canary, _baseline);
        if (Math.Abs(ours.PValue - linq.PValue) > 1e-12 * Math.Max(1, ours.PValue) || ours.Effect != linq.Effect)
        {
            throw new InvalidOperationException($"LINQ and judge disagree: p {linq.PValue} vs {ours.PValue}");
        }
    }

    [Benchmark(Baseline = true)]
    public double LinqMannWhitney() => Linq(_canary, _baseline).PValue;

    [Benchmark]
    public double CanaryJudgeMetric() => _judge.JudgeMetric(0, _canary, _baseline).PValue;

    private static (double PValue, double Effect) Linq(double[] canary, double[] baseline)
    {
        var all = canary.Select(v => (Value: v, Canary: true)).Concat(baseline.Select(v => (Value: v, Canary: false)))
            .OrderBy(p => p.Value)
            .Select((p, i) => (p.Value, p.Canary, Rank: i + 1.0))
            .ToList();
        var groups = all.GroupBy(p => p.Value).ToList();
        var averageRank = groups.ToDictionary(g => g.Key, g => g.Average(p => p.Rank));
        var r1 = all.Where(p => p.Canary).Sum(p => averageRank[p.Value]);
        var tieTerm = groups.Sum(g => Math.Pow(g.Count(), 3) - g.Count());
        double n1 = canary.Length, n2 = baseline.Length, n = n1 + n2;
        var u1 = r1 - (n1 * (n1 + 1) / 2);
        var s = Math.Sqrt(n1 * n2 / 12 * ((n + 1) - (tieTerm / (n * (n - 1)))));
        var z = (u1 - (n1 * n2 / 2) - 0.5) / s;
        var p = Math.Clamp(NormalDistribution.Cdf(-z), 0, 1);
        var effect = CanaryJudge.Effect(Median(canary), Median(baseline));
        return (p, effect);
    }

    private static double Median(double[] values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double[] Sample(Random random, int count, double mean)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Rounded to 0.1 ms, as latency often is: ties happen at n = 5,000.
            values[i] = Math.Round(mean + (10 * Math.Sqrt(-2 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())), 1);
        }

        return values;
    }
}
