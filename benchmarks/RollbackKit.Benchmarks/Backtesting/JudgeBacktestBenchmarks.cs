using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Judging;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Benchmarks.Backtesting;

/// <summary>
/// What judge triggers add to a backtest: 10 targets over 24 hours at a 15 s step (5,760 steps) with one condition
/// trigger (the baseline), then the same with a canary judge of 3 metrics (10-minute window at 15 s, judged every minute:
/// 1,440 judgements × 10 targets × 3 Mann-Whitney tests of 41 + 41 samples), from an in-memory history source.
/// </summary>
[MemoryDiagnoser]
public class JudgeBacktestBenchmarks
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private ServiceProvider? _conditionOnly;
    private ServiceProvider? _withJudge;
    private BacktestRequest? _request;

    [GlobalSetup]
    public void Setup()
    {
        _conditionOnly = Build(judge: false);
        _withJudge = Build(judge: true);
        _request = new BacktestRequest { From = From, To = From.AddHours(24).AddSeconds(-15), Step = TimeSpan.FromSeconds(15) };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _conditionOnly?.Dispose();
        _withJudge?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int ConditionTriggerOnly() => Run(_conditionOnly!);

    [Benchmark]
    public int ConditionTriggerAndJudge3Metrics() => Run(_withJudge!);

    private int Run(ServiceProvider services)
    {
        var result = services.GetRequiredService<IBacktester>().RunAsync(_request!).GetAwaiter().GetResult();
        return result.Fires.Count + result.Targets[0].Judges.Sum(static j => j.Points.Count);
    }

    private static ServiceProvider Build(bool judge)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var synthetic = new SyntheticHistory();
        services.AddSingleton<IMetricHistorySource>(synthetic);
        services.AddSingleton<IMetricSource>(synthetic);
        services.AddRollbackKit(o => Configure(o, judge))
            .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
            .AddBacktesting();
        return services.BuildServiceProvider();
    }

    private static void Configure(RollbackKitOptions o, bool judge)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(15);
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
        for (var t = 0; t < 10; t++)
        {
            o.Targets.Add(new TargetDefinition { Id = $"shop/app-{t}", Labels = { ["namespace"] = "shop", ["name"] = $"app-{t}" } });
        }

        o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Source = "synthetic", Expression = "error_rate", GroupBy = "deployment" });
        o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 4", For = TimeSpan.FromMinutes(2), Severity = RollbackSeverity.Critical });
        if (!judge)
        {
            return;
        }

        var definition = new JudgeDefinition { Window = TimeSpan.FromMinutes(10), Step = TimeSpan.FromSeconds(15), Interval = TimeSpan.FromMinutes(1) };
        foreach (var name in new[] { "latency", "errors", "cpu" })
        {
            definition.Metrics.Add(new JudgeMetricDefinition { Name = name, Canary = name + "_canary", Baseline = name + "_baseline", EffectTolerance = 0.05 });
        }

        o.Triggers.Add(new TriggerDefinition { Name = "canary-judge", Judge = definition });
    }

    /// <summary>Deterministic waves with occasional gaps, per query and target; a canary's wave drifts from its baseline's.</summary>
    private sealed class SyntheticHistory : IMetricHistorySource, IMetricSource
    {
        public string Name => "synthetic";

        public ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
        {
            batch.SetNoDataForUnanswered();
            return default;
        }

        public ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken)
        {
            var scale = history.Query.Name.Length;
            var firstStep = (int)((history.From - From).Ticks / history.Step.Ticks);
            for (var t = 0; t < history.Targets.Count; t++)
            {
                for (var k = 0; k < history.StepCount; k++)
                {
                    var step = firstStep + k;
                    if ((step + t) % 997 == 0)
                    {
                        history.SetNoData(t, k);
                        continue;
                    }

                    var wave = 0.5 + (0.5 * Math.Sin((step + (t * 131)) / (37.0 + scale)));
                    history.SetValue(t, k, history.Query.Name == "error_rate" ? wave * 5 : 1 + wave + (0.01 * (step % 7)));
                }
            }

            return default;
        }
    }
}
