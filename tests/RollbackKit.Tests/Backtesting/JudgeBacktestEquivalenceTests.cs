using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Judging;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

/// <summary>A backtest's judge triggers do exactly what the live judge monitor does on the same history, judgement by judgement.</summary>
public class JudgeBacktestEquivalenceTests
{
    private static readonly DateTimeOffset T0 = BacktestHost.Start;
    private static readonly TimeSpan Range = TimeSpan.FromMinutes(40);
    private static readonly string[] Targets = ["shop/checkout", "shop/cart"];

    /// <summary>A judge's timing and thresholds: interval (s), window (min), step (s), critical, dry run.</summary>
    private static readonly Gen<(int Interval, int Window, int Step, bool Critical, bool DryRun)> s_judge =
        Gen.Select(Gen.OneOf(Gen.Const(30), Gen.Const(60), Gen.Const(90), Gen.Const(50)), Gen.Int[2, 6], Gen.OneOf(Gen.Const(10), Gen.Const(15), Gen.Const(20)), Gen.Bool, Gen.Bool);

    /// <summary>Per target: when the canary shifts (minute), for how long, by what factor; a minute range of baseline errors; a minute range of canary gaps.</summary>
    private static readonly Gen<Episode[]> s_episodes =
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 40], Gen.OneOf(Gen.Const(1.0), Gen.Const(1.04), Gen.Const(1.1), Gen.Const(1.25), Gen.Const(0.8)), Gen.Int[-1, 40], Gen.Int[-1, 40])
            .Select(e => new Episode(e.Item1, e.Item2, e.Item3, e.Item4, e.Item5))
            .Array[Targets.Length];

    [Fact]
    public async Task Backtest_RandomShiftsGapsErrorsAndJudgeSettings_EqualsTheLiveJudgeMonitorJudgementByJudgement()
    {
        await Gen.Select(s_judge, s_episodes).SampleAsync(
            async (judge, episodes) => await AssertEquivalentAsync(judge, episodes),
            iter: 25,
            threads: 1,
            print: t => $"{t.Item1}; {string.Join(" | ", t.Item2.Select(e => e.ToString()))}");
    }

    private static async Task AssertEquivalentAsync((int Interval, int Window, int Step, bool Critical, bool DryRun) judge, Episode[] episodes)
    {
        var source = new SeriesSource("series", (query, target, at) =>
        {
            var e = episodes[Array.IndexOf(Targets, target)];
            var minute = (int)(at - T0).TotalMinutes;
            var canary = query.EndsWith(".canary", StringComparison.Ordinal);
            if (!canary && e.ErrorAt >= 0 && minute >= e.ErrorAt && minute < e.ErrorAt + 2)
            {
                return Sample.Error;
            }

            if (canary && e.GapAt >= 0 && minute >= e.GapAt && minute < e.GapAt + 3)
            {
                return Sample.NoData;
            }

            var value = JudgeBacktestTests.Noisy(query, target, at);
            return Sample.Of(canary && minute >= e.ShiftAt && minute < e.ShiftAt + e.Length ? value * e.Factor : value);
        });
        await using var host = BacktestHost.Create(o => Configure(o, judge), source);

        // Live: the judge monitor on the fake clock, one run per interval from the start, as its timer would run it.
        var monitor = host.Services.GetRequiredService<JudgeMonitor>();
        var interval = TimeSpan.FromSeconds(judge.Interval);
        var live = new List<JudgeReport>();
        for (var at = T0; at <= T0 + Range; at += interval)
        {
            host.Time.SetUtcNow(at);
            live.AddRange(await monitor.JudgeAllAsync());
        }

        var result = await host.Backtester().RunAsync(new BacktestRequest { From = T0, To = T0 + Range, Step = TimeSpan.FromSeconds(30) });

        var liveFires = host.Dispatcher.Requests.Select(r => (r.Target.Id, r.Evidence!.TriggerName, r.Evidence.DetectedAt, r.Reason)).ToList();
        Assert.Equal(liveFires, result.Fires.Select(f => (f.Target, f.Trigger, f.At, f.Reason)));

        var replayed = result.Targets.SelectMany(t => t.Judges[0].Points.Select(p => (Target: t.Id, Point: p))).OrderBy(p => p.Point.At).ThenBy(p => Array.IndexOf(Targets, p.Target)).ToList();
        Assert.Equal(live.Count, replayed.Count);
        for (var i = 0; i < live.Count; i++)
        {
            var (target, point) = replayed[i];
            Assert.Equal(live[i].Target, target);
            Assert.Equal(live[i].Score?.Classification, point.Classification);
            Assert.Equal(live[i].Score?.Score ?? double.NaN, point.Score);
            Assert.Equal(live[i].Metrics, point.Metrics);
            Assert.Equal(live[i].Dispatch is not null, point.Fired);
            Assert.Equal(live[i].Error, point.Error);
        }
    }

    private static void Configure(RollbackKitOptions o, (int Interval, int Window, int Step, bool Critical, bool DryRun) judge)
    {
        foreach (var id in Targets)
        {
            o.Targets.Add(new TargetDefinition { Id = id, Labels = { ["name"] = id[5..] } });
        }

        var definition = JudgeBacktestTests.Judge();
        definition.Interval = TimeSpan.FromSeconds(judge.Interval);
        definition.Window = TimeSpan.FromMinutes(judge.Window);
        definition.Step = TimeSpan.FromSeconds(judge.Step);
        definition.Metrics[0].Critical = judge.Critical;
        o.Triggers.Add(new TriggerDefinition { Name = "canary-judge", Judge = definition, DryRun = judge.DryRun });
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
    }

    private sealed record Episode(int ShiftAt, int Length, double Factor, int ErrorAt, int GapAt);
}
