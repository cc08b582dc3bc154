using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

/// <summary>A backtest over some history does exactly what the live monitor does on the same data, tick by tick.</summary>
public class BacktestEquivalenceTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private static readonly string[] Targets = ["shop/checkout", "shop/cart"];

    private static readonly Gen<TriggerDefinition> s_trigger =
        Gen.Select(Gen.OneOf(0, 30, 45, 60, 120), Gen.Int[0, 3], Gen.OneOf(0, 60, 180), Gen.Int[0, 3])
            .SelectMany(t => Gen.Select(Gen.Int[0, 2], Gen.Int[1, 4], Gen.Bool, Gen.Int[0, 2]).Select(u => new TriggerDefinition
            {
                Name = "random",
                Condition = "value > 1",
                For = TimeSpan.FromSeconds(t.Item1),
                FailureLimit = t.Item2,
                FailureWindow = t.Item3 == 0 || t.Item2 == 0 ? null : TimeSpan.FromSeconds(t.Item3),
                ConsecutiveFailureLimit = t.Item4,
                NoData = (NoDataPolicy)u.Item1,
                ErrorLimit = u.Item2,
                DryRun = u.Item3,
                Severity = (RollbackSeverity)u.Item4,
            }));

    /// <summary>Per target, per step: 0-4 a passing value, 5-7 a failing value, 8 no data, 9 a source error.</summary>
    private static readonly Gen<int[][]> s_series = Gen.Int[8, 40].SelectMany(n => Gen.Int[0, 9].Array[n].Array[Targets.Length]);

    [Fact]
    public async Task Backtest_RandomSeriesAndTriggerSettings_EqualsTheLiveMonitorTickByTick()
    {
        await Gen.Select(s_trigger, s_series).SampleAsync(
            async (trigger, series) => await AssertEquivalentAsync(trigger, series),
            iter: 60,
            threads: 1,
            print: t => $"{Describe(t.Item1)}; series: {string.Join(" | ", t.Item2.Select(s => string.Concat(s)))}");
    }

    private static async Task AssertEquivalentAsync(TriggerDefinition trigger, int[][] series)
    {
        var steps = series[0].Length;
        var source = new SeriesSource("series", (_, target, at) =>
        {
            var code = series[Array.IndexOf(Targets, target)][(int)((at - BacktestHost.Start) / Step)];
            return code switch { < 5 => Sample.Of(code * 0.2), < 8 => Sample.Of(code), 8 => Sample.NoData, _ => Sample.Error };
        });
        await using var host = BacktestHost.Create(o => Configure(o, trigger), source);

        // Live: the monitor driven by the fake clock, one tick per step, explaining each tick.
        var explainer = host.Services.GetRequiredService<IMonitorExplainer>();
        var live = new List<TriggerExplanation>();
        for (var k = 0; k < steps; k++)
        {
            if (k > 0)
            {
                host.Time.Advance(Step);
            }

            await host.TickAsync();
            live.AddRange(explainer.ExplainLastTick()!.Triggers);
        }

        var result = await host.Backtester().RunAsync(new BacktestRequest { From = BacktestHost.Start, To = BacktestHost.Start + (Step * (steps - 1)), Step = Step });

        var liveFires = host.Dispatcher.Requests.Where(r => r.Evidence is not null).Select(r => (r.Target.Id, r.Evidence!.TriggerName, r.Evidence.DetectedAt)).ToList();
        var backtestFires = result.Fires.Select(f => (f.Target, f.Trigger, f.At)).ToList();
        Assert.Equal(liveFires, backtestFires);
        Assert.Equal(host.Dispatcher.Requests.Count(r => r.Evidence is null), result.Targets.Sum(t => t.Triggers[0].Points.Count(p => p.ErrorLimitReached)));

        var replayed = result.Targets.SelectMany(t => t.Triggers[0].Points).OrderBy(p => p.At).ThenBy(p => Array.IndexOf(Targets, p.Target)).ToList();
        Assert.Equal(live.Count, replayed.Count);
        for (var i = 0; i < live.Count; i++)
        {
            Assert.Equal((live[i].Target, live[i].At, live[i].Outcome, live[i].Fired, live[i].ErrorLimitReached, live[i].State), (replayed[i].Target, replayed[i].At, replayed[i].Outcome, replayed[i].Fired, replayed[i].ErrorLimitReached, replayed[i].State));
            Assert.Equal(live[i].Why, replayed[i].Why);
        }
    }

    private static void Configure(RollbackKitOptions o, TriggerDefinition trigger)
    {
        o.EvaluationInterval = Step;
        foreach (var id in Targets)
        {
            o.Targets.Add(new TargetDefinition { Id = id, Labels = { ["name"] = id[5..] } });
        }

        o.Queries.Add(new() { Name = "value", Expression = "value{name=\"{{name}}\"}" });
        o.Triggers.Add(trigger);
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
    }

    private static string Describe(TriggerDefinition t) =>
        $"For={t.For} FailureLimit={t.FailureLimit} Window={t.FailureWindow} Consecutive={t.ConsecutiveFailureLimit} NoData={t.NoData} ErrorLimit={t.ErrorLimit} DryRun={t.DryRun} Severity={t.Severity}";
}
