using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Benchmarks.Backtesting;

/// <summary>
/// A backtest of 10 targets × 8 triggers over 24 hours at a 15 s step (5,760 steps), from an in-memory history source
/// (no Prometheus time): fetching from memory, replaying every step through the monitor, explaining every
/// target × trigger at every step and deciding every fire.
/// </summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private ServiceProvider? _services;
    private IBacktester? _backtester;
    private BacktestRequest? _request;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var synthetic = new SyntheticHistory();
        services.AddSingleton<IMetricHistorySource>(synthetic);
        services.AddSingleton<IMetricSource>(synthetic);
        services.AddRollbackKit(Configure)
            .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
            .AddBacktesting();
        _services = services.BuildServiceProvider();
        _backtester = _services.GetRequiredService<IBacktester>();
        _request = new BacktestRequest { From = From, To = From.AddHours(24).AddSeconds(-15), Step = TimeSpan.FromSeconds(15) };
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark]
    public int Backtest10Targets8Triggers24Hours()
    {
        var result = _backtester!.RunAsync(_request!).GetAwaiter().GetResult();
        return result.Fires.Count + result.Targets[0].Triggers[0].Points.Count;
    }

    private static void Configure(RollbackKitOptions o)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(15);
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
        for (var t = 0; t < 10; t++)
        {
            o.Targets.Add(new TargetDefinition { Id = $"shop/app-{t}", Labels = { ["namespace"] = "shop", ["name"] = $"app-{t}" } });
        }

        foreach (var name in new[] { "error_rate", "latency_p99", "saturation", "restarts" })
        {
            o.Queries.Add(new MetricQueryDefinition { Name = name, Source = "synthetic", Expression = name, GroupBy = "deployment" });
        }

        o.Baselines.Add(new BaselineDefinition { Name = "baseline_error_rate", Query = "error_rate", Window = TimeSpan.FromMinutes(30) });
        o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 4", For = TimeSpan.FromMinutes(2), Severity = RollbackSeverity.Critical });
        o.Triggers.Add(new TriggerDefinition { Name = "error-regression", Condition = "error_rate > baseline_error_rate * 3", For = TimeSpan.FromMinutes(5) });
        o.Triggers.Add(new TriggerDefinition { Name = "latency", Condition = "latency_p99 > 0.8", FailureLimit = 5, FailureWindow = TimeSpan.FromMinutes(10) });
        o.Triggers.Add(new TriggerDefinition { Name = "latency-streak", Condition = "latency_p99 > 0.9", ConsecutiveFailureLimit = 4, Severity = RollbackSeverity.Medium });
        o.Triggers.Add(new TriggerDefinition { Name = "saturation", Condition = "saturation > 0.95", For = TimeSpan.FromMinutes(1), Action = TriggerAction.AlertOnly });
        o.Triggers.Add(new TriggerDefinition { Name = "restarts", Condition = "restarts > 2", NoData = NoDataPolicy.Pass });
        o.Triggers.Add(new TriggerDefinition { Name = "combined", Condition = "error_rate > 3 && latency_p99 > 0.7", For = TimeSpan.FromMinutes(3), DryRun = true });
        o.Triggers.Add(new TriggerDefinition { Name = "errors-and-saturation", Condition = "error_rate + saturation * 2 > 5", For = TimeSpan.FromSeconds(45) });
    }

    /// <summary>Deterministic waves with occasional gaps, per query and target (live: no data; only its history is replayed).</summary>
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
            for (var t = 0; t < history.Targets.Count; t++)
            {
                for (var k = 0; k < history.StepCount; k++)
                {
                    if ((k + t) % 997 == 0)
                    {
                        history.SetNoData(t, k);
                        continue;
                    }

                    var wave = 0.5 + (0.5 * Math.Sin((k + (t * 131)) / (37.0 + scale)));
                    history.SetValue(t, k, history.Query.Name == "error_rate" ? wave * 5 : wave);
                }
            }

            return default;
        }
    }
}
