using BenchmarkDotNet.Attributes;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Sharding;
using RollbackKit.Triggers;

namespace RollbackKit.Benchmarks.Scale;

/// <summary>
/// One evaluation tick of 8 triggers over 10,000 targets split into 12 shards: the full fleet (<c>Evaluate</c>, the
/// baseline, what every replica did before) against only the targets of the owned shards (<c>EvaluateOwned</c> over the
/// runs of owned indexes, as a sharded monitor evaluates them). Owned targets are scattered by the hash, so most runs are
/// one or two targets long.
/// <para>
/// Run: <c>dotnet run -c Release --project benchmarks/RollbackKit.Benchmarks -- --filter '*OwnedEvaluation*' --job short</c>.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class OwnedEvaluationBenchmarks
{
    private const int Targets = 10_000;
    private const int Shards = 12;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(10);

    private static readonly string[] s_queries =
    [
        "canary_error_rate", "baseline_error_rate", "canary_p99", "baseline_p99", "success_rate", "canary_rps",
        "baseline_rps", "memory_ratio",
    ];

    private static readonly TriggerDefinition[] s_triggers =
    [
        new() { Name = "error-rate", Condition = "canary_error_rate > baseline_error_rate * 1.5", For = TimeSpan.FromMinutes(5) },
        new() { Name = "p99", Condition = "canary_p99 > baseline_p99 * 2", For = TimeSpan.FromMinutes(5) },
        new() { Name = "success", Condition = "success_rate < 0.95", For = TimeSpan.FromMinutes(3) },
        new() { Name = "throughput", Condition = "canary_rps < baseline_rps * 0.5", For = TimeSpan.FromMinutes(10) },
        new() { Name = "memory", Condition = "memory_ratio > 95%", For = TimeSpan.FromMinutes(5) },
        new() { Name = "latency-and-errors", Condition = "canary_p99 > 0.5 and canary_error_rate > 2%", ConsecutiveFailureLimit = 3 },
        new() { Name = "rps-floor", Condition = "canary_rps < 10" },
        new() { Name = "combined", Condition = "max(canary_error_rate, 1 - success_rate) > 10%", For = TimeSpan.FromMinutes(1) },
    ];

    private EvaluationEngine _engine = null!;
    private TriggerVerdict[] _verdicts = [];
    private TargetRange[] _runs = [];
    private DateTimeOffset _now;

    /// <summary>Shards owned out of 12.</summary>
    [Params(1, 4, 12)]
    public int OwnedShards { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var targets = Enumerable.Range(0, Targets).Select(i => new RollbackTarget($"team-{i % 50}/svc-{i:D5}")).ToArray();
        _engine = new EvaluationEngine(targets, s_queries, s_triggers);
        for (var q = 0; q < s_queries.Length; q++)
        {
            var values = _engine.GetValues(q);
            for (var t = 0; t < Targets; t++)
            {
                var bad = random.Next(100) < 5;
                values[t] = q switch
                {
                    0 => bad ? 0.08 : 0.01,
                    1 => 0.01,
                    2 => bad ? 0.9 : 0.3,
                    3 => 0.35,
                    4 => bad ? 0.9 : 0.99,
                    5 => bad ? 20 : 100,
                    6 => 110,
                    _ => bad ? 0.97 : 0.6,
                };
            }

            _engine.GetStatuses(q).Fill(MetricSampleStatus.Value);
        }

        var owned = Enumerable.Range(0, Targets).Where(i => TargetShards.ShardOf(targets[i].Id, Shards) < OwnedShards).ToArray();
        _runs = TargetRange.FromIndexes(owned);
        Console.WriteLine($"// owned shards {OwnedShards}: {owned.Length} targets in {_runs.Length} runs");
        _verdicts = new TriggerVerdict[_engine.VerdictCount];
        _now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    [Benchmark(Baseline = true, Description = "Evaluate, every target")]
    public int EvaluateAll()
    {
        _now += Tick;
        return _engine.Evaluate(_now, _verdicts);
    }

    [Benchmark(Description = "EvaluateOwned, owned shards' targets")]
    public int EvaluateOwned()
    {
        _now += Tick;
        return _engine.EvaluateOwned(_now, _runs, _verdicts);
    }
}
