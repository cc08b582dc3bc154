using RollbackKit.Backtesting;
using RollbackKit.Dispatch;
using RollbackKit.Judging;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

/// <summary>Judge triggers replayed by the backtest: the canary's latency distribution shifts at a known time.</summary>
public class JudgeBacktestTests
{
    internal static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    internal static readonly DateTimeOffset T0 = BacktestHost.Start;

    /// <summary>When the canary of shop/checkout becomes 20 % slower.</summary>
    internal static readonly DateTimeOffset ShiftAt = T0 + (30 * Minute);

    internal static JudgeDefinition Judge() => new()
    {
        Window = 5 * Minute,
        Step = TimeSpan.FromSeconds(15),
        Interval = Minute,
        PassScore = 95,
        MarginalScore = 75,
        Metrics =
        {
            new JudgeMetricDefinition
            {
                Name = "latency",
                Canary = "latency{app=\"{{name}}\",track=\"canary\"}",
                Baseline = "latency{app=\"{{name}}\",track=\"baseline\"}",
                EffectTolerance = 0.05,
                MinSamples = 10,
            },
        },
    };

    internal static void Config(RollbackKitOptions o, bool withCondition)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(30);
        o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["namespace"] = "shop", ["name"] = "checkout" } });
        o.Targets.Add(new TargetDefinition { Id = "shop/cart", Labels = { ["namespace"] = "shop", ["name"] = "cart" } });
        if (withCondition)
        {
            o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "errors{name=\"{{name}}\"}" });
            o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 2", For = 2 * Minute, Severity = RollbackSeverity.Critical });
        }

        o.Triggers.Add(new TriggerDefinition { Name = "canary-judge", Severity = RollbackSeverity.Critical, Judge = Judge() });
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
    }

    /// <summary>
    /// Latency about 100 ms ±3 % (deterministic noise per query, target and instant); the canary of shop/checkout is 20 %
    /// higher from <paramref name="shiftAt"/> on (never when null). Checkout's error rate is 5 from minute 10 to 15, else 0.5.
    /// </summary>
    internal static SeriesSource Latency(DateTimeOffset? shiftAt) => new("series", (query, target, at) =>
    {
        if (query == "error_rate")
        {
            var minute = (at - T0).TotalMinutes;
            return Sample.Of(target == "shop/checkout" && minute is >= 10 and < 15 ? 5 : 0.5);
        }

        var value = Noisy(query, target, at);
        return Sample.Of(shiftAt is { } s && at >= s && target == "shop/checkout" && query.EndsWith(".canary", StringComparison.Ordinal) ? value * 1.2 : value);
    });

    /// <summary>100 ± 3, a pure function of the query, target and instant.</summary>
    internal static double Noisy(string query, string target, DateTimeOffset at)
    {
        var seed = HashCode.Combine(query.Length, query[^4], target.Length, target[^1], (int)((at - T0).Ticks / TimeSpan.TicksPerSecond));
        return 97 + (6 * new Random(seed).NextDouble());
    }

    /// <summary>The oracle: the first judgement instant (on the interval grid) whose window, judged directly, fails.</summary>
    internal static DateTimeOffset? FirstFailingJudgement(DateTimeOffset? shiftAt, DateTimeOffset from, DateTimeOffset to)
    {
        var sample = Latency(shiftAt).Answer;
        var definition = Judge();
        var judge = new CanaryJudge(definition);
        var steps = (int)(definition.Window / definition.Step) + 1;
        for (var at = from; at <= to; at += definition.Interval)
        {
            var canary = new double[steps];
            var baseline = new double[steps];
            for (var k = 0; k < steps; k++)
            {
                var time = at - (definition.Step * (steps - 1 - k));
                canary[k] = sample("canary-judge.latency.canary", "shop/checkout", time).Value;
                baseline[k] = sample("canary-judge.latency.baseline", "shop/checkout", time).Value;
            }

            var score = judge.Score([judge.JudgeMetric(0, canary, baseline)]);
            if (score.Classification == JudgeClassification.Fail)
            {
                return at;
            }
        }

        return null;
    }

    private static BacktestRequest Range(int minutes) => new() { From = T0, To = T0 + (minutes * Minute), Step = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task RunAsync_CanaryLatencyShifts_JudgeFiresOnceAtTheFirstFailingInterval()
    {
        var source = Latency(ShiftAt);
        await using var host = BacktestHost.Create(o => Config(o, withCondition: false), source);

        var result = await host.Backtester().RunAsync(Range(60));

        var expected = FirstFailingJudgement(ShiftAt, T0, T0 + (60 * Minute));
        Assert.NotNull(expected);
        Assert.InRange(expected.Value, ShiftAt + Minute, ShiftAt + Judge().Window); // after the shift, before the window is all shifted
        var fire = Assert.Single(result.Fires);
        Assert.Equal("canary-judge", fire.Trigger);
        Assert.Equal("shop/checkout", fire.Target);
        Assert.Equal(expected.Value, fire.At);
        Assert.Equal(DispatchStatus.Started, fire.Decision);
        Assert.Equal(RollbackSeverity.Critical, fire.Severity);
        Assert.Contains("canary judge score 0", fire.Reason, StringComparison.Ordinal);
        Assert.True(fire.Values["latency.effect"] > 0.05);
        Assert.True(fire.Values["latency.p_value"] < 0.05);
    }

    [Fact]
    public async Task RunAsync_CanaryLatencyShifts_RecordsEveryJudgementWithScoreClassificationAndFailingMetrics()
    {
        await using var host = BacktestHost.Create(o => Config(o, withCondition: false), Latency(ShiftAt));

        var result = await host.Backtester().RunAsync(Range(60));

        var fire = Assert.Single(result.Fires);
        var checkout = Assert.Single(result.Targets.Single(t => t.Id == "shop/checkout").Judges);
        Assert.Empty(result.Targets.Single(t => t.Id == "shop/checkout").Triggers);
        Assert.Equal("canary-judge", checkout.Name);
        Assert.Equal(["latency"], checkout.Metrics);
        Assert.Equal((5 * Minute, Minute, 95d, 75d), (checkout.Window, checkout.Interval, checkout.PassScore, checkout.MarginalScore));
        Assert.Equal(61, checkout.Points.Count); // minutes 0..60, both ends
        Assert.Equal(Enumerable.Range(0, 61).Select(m => T0 + (m * Minute)), checkout.Points.Select(p => p.At));
        Assert.Same(fire, Assert.Single(checkout.Fires));
        var fired = Assert.Single(checkout.Points, p => p.Fired);
        Assert.Equal(fire.At, fired.At);
        Assert.Equal(JudgeClassification.Fail, fired.Classification);
        Assert.Equal(0, fired.Score);
        Assert.Equal(["latency"], fired.FailedMetrics);
        Assert.Equal(21, fired.Metrics[0].CanaryCount); // 5 minutes at 15 s, both ends
        Assert.All(checkout.Points.Where(p => p.At < ShiftAt), p => Assert.Equal((JudgeClassification?)JudgeClassification.Pass, p.Classification));
        Assert.All(checkout.Points.Where(p => p.At > fire.At), p => Assert.Equal((JudgeClassification?)JudgeClassification.Fail, p.Classification)); // one episode: fired once
        Assert.All(checkout.Points, p => Assert.Null(p.Error));

        var cart = Assert.Single(result.Targets.Single(t => t.Id == "shop/cart").Judges);
        Assert.Empty(cart.Fires);
        Assert.All(cart.Points, p => Assert.Equal((JudgeClassification?)JudgeClassification.Pass, p.Classification));
        Assert.All(cart.Points, p => Assert.Empty(p.FailedMetrics));
    }

    [Fact]
    public async Task RunAsync_NoShift_JudgeNeverFires()
    {
        await using var host = BacktestHost.Create(o => Config(o, withCondition: false), Latency(shiftAt: null));

        var result = await host.Backtester().RunAsync(Range(60));

        Assert.Null(FirstFailingJudgement(null, T0, T0 + (60 * Minute)));
        Assert.Empty(result.Fires);
        Assert.All(result.Targets, t => Assert.All(Assert.Single(t.Judges).Points, p => Assert.False(p.Fired)));
        Assert.All(result.Targets, t => Assert.Equal(61, t.Judges[0].Points.Count(p => p.Classification == JudgeClassification.Pass)));
    }

    [Fact]
    public async Task RunAsync_JudgeAndConditionTrigger_BothFireInTimeOrderAndConditionPointsAreUnchanged()
    {
        var source = Latency(ShiftAt);
        await using var host = BacktestHost.Create(o => Config(o, withCondition: true), source);
        await using var alone = BacktestHost.Create(o =>
        {
            Config(o, withCondition: true);
            o.Triggers.RemoveAll(t => t.Judge is not null);
        }, Latency(ShiftAt));

        var result = await host.Backtester().RunAsync(Range(60));
        var conditionOnly = await alone.Backtester().RunAsync(Range(60));

        Assert.Equal(
            [("error-rate", T0 + (12 * Minute)), ("canary-judge", FirstFailingJudgement(ShiftAt, T0, T0 + (60 * Minute))!.Value)],
            result.Fires.Select(f => (f.Trigger, f.At)));
        Assert.All(result.Fires, f => Assert.Equal("shop/checkout", f.Target));
        var condition = result.Targets[0].Triggers.Single();
        var expected = conditionOnly.Targets[0].Triggers.Single();
        Assert.Equal(expected.Points.Select(p => (p.At, p.Outcome, p.Fired, p.State)), condition.Points.Select(p => (p.At, p.Outcome, p.Fired, p.State)));
        Assert.Empty(conditionOnly.Targets[0].Judges);
    }

    [Fact]
    public async Task RunAsync_IntervalNotAMultipleOfTheStep_QueriesEachWindowFromTheSourceAndFiresAlike()
    {
        var onGrid = Latency(ShiftAt);
        var offGrid = Latency(ShiftAt);
        await using var aligned = BacktestHost.Create(o => Config(o, withCondition: false), onGrid);
        await using var unaligned = BacktestHost.Create(o =>
        {
            Config(o, withCondition: false);
            o.Triggers[0].Judge!.Step = TimeSpan.FromSeconds(14);
        }, offGrid);

        await aligned.Backtester().RunAsync(Range(60));
        var result = await unaligned.Backtester().RunAsync(Range(60));

        Assert.Equal(2, onGrid.RangeQueries); // canary and baseline fetched once for the whole range
        Assert.Equal(61 * 2, offGrid.RangeQueries); // one per judgement and side, as live
        var fire = Assert.Single(result.Fires);
        Assert.Equal("canary-judge", fire.Trigger);
        Assert.InRange(fire.At, ShiftAt + Minute, ShiftAt + (5 * Minute));
    }

    [Fact]
    public async Task RunAsync_JudgeSourceErrors_NoJudgementNoFireAndTheErrorIsReported()
    {
        var source = new SeriesSource("series", (query, target, at) => target == "shop/checkout" && query.EndsWith(".baseline", StringComparison.Ordinal) && at >= ShiftAt
            ? Sample.Error
            : Latency(ShiftAt).Answer(query, target, at));
        await using var host = BacktestHost.Create(o => Config(o, withCondition: false), source);

        var result = await host.Backtester().RunAsync(Range(60));

        Assert.Empty(result.Fires);
        var points = result.Targets[0].Judges[0].Points;
        Assert.All(points.Where(p => p.At >= ShiftAt), p => Assert.Null(p.Classification));
        Assert.All(points.Where(p => p.At >= ShiftAt), p => Assert.Equal("query 'canary-judge.latency.baseline' failed", p.Error));
        Assert.All(points.Where(p => p.At >= ShiftAt), p => Assert.True(double.IsNaN(p.Score)));
        Assert.Contains("query 'canary-judge.latency.baseline' failed", result.Errors);
    }

    [Fact]
    public async Task RunAsync_TwoShiftEpisodes_FiresOncePerEpisodeReArmedByAPassingJudgement()
    {
        var source = new SeriesSource("series", (query, target, at) =>
        {
            var minute = (at - T0).TotalMinutes;
            var value = Noisy(query, target, at);
            var shifted = target == "shop/checkout" && query.EndsWith(".canary", StringComparison.Ordinal) && (minute is >= 20 and < 30 || minute >= 45);
            return Sample.Of(shifted ? value * 1.2 : value);
        });
        await using var host = BacktestHost.Create(o => Config(o, withCondition: false), source);

        var result = await host.Backtester().RunAsync(Range(60));

        Assert.Equal(2, result.Fires.Count);
        Assert.InRange(result.Fires[0].At, T0 + (21 * Minute), T0 + (25 * Minute));
        Assert.InRange(result.Fires[1].At, T0 + (46 * Minute), T0 + (50 * Minute));
        var points = result.Targets[0].Judges[0].Points;
        var between = points.Where(p => p.At > result.Fires[0].At && p.At < result.Fires[1].At).ToList();
        Assert.Contains(between, p => p.Classification == JudgeClassification.Fail && !p.Fired); // still failing: not sent again
        Assert.Contains(between, p => p.Classification == JudgeClassification.Pass); // re-armed
        Assert.Equal(result.Fires.Select(f => f.At), points.Where(p => p.Fired).Select(p => p.At));
        Assert.Equal(result.Fires, result.Targets[0].Judges[0].Fires);
    }

    [Fact]
    public async Task RunAsync_OnlySomeTargets_JudgesOnlyThose()
    {
        var source = Latency(ShiftAt);
        await using var host = BacktestHost.Create(o => Config(o, withCondition: false), source);

        var result = await host.Backtester().RunAsync(Range(60) with { Targets = ["shop/cart"] });

        Assert.Empty(result.Fires);
        var cart = Assert.Single(result.Targets);
        Assert.Equal("shop/cart", cart.Id);
        Assert.Equal(61, Assert.Single(cart.Judges).Points.Count);
        Assert.Equal(2, source.RangeQueries); // canary and baseline, each fetched once for the whole range
    }

    [Fact]
    public async Task RunAsync_DisabledJudge_AppearsWithADisabledPointPerIntervalAsDisabledConditionTriggersDo()
    {
        var source = Latency(ShiftAt);
        await using var host = BacktestHost.Create(
            o =>
            {
                Config(o, withCondition: true);
                o.Triggers[0].Enabled = false;
                o.Triggers[1].Enabled = false;
                o.Triggers.Add(new TriggerDefinition { Name = "second-judge", Severity = RollbackSeverity.Critical, Judge = Judge() });
            },
            source);

        var result = await host.Backtester().RunAsync(Range(60));

        var checkout = result.Targets[0];
        Assert.All(Assert.Single(checkout.Triggers).Points, p => Assert.Equal(TriggerOutcome.Disabled, p.Outcome));
        Assert.Equal(["canary-judge", "second-judge"], checkout.Judges.Select(j => j.Name)); // configuration order
        var disabled = checkout.Judges[0];
        Assert.Equal(["latency"], disabled.Metrics);
        Assert.Equal(Minute, disabled.Interval);
        Assert.Equal(61, disabled.Points.Count);
        Assert.Equal(T0 + (60 * Minute), disabled.Points[^1].At);
        Assert.All(disabled.Points, p =>
        {
            Assert.True(p.Disabled);
            Assert.Null(p.Classification);
            Assert.True(double.IsNaN(p.Score));
            Assert.False(p.Fired);
        });
        Assert.Empty(disabled.Fires);
        Assert.All(checkout.Judges[1].Points, p => Assert.False(p.Disabled));
        Assert.All(result.Fires, f => Assert.Equal("second-judge", f.Trigger));
        Assert.Equal(3, source.RangeQueries); // error_rate, the second judge's canary and baseline: nothing for the disabled judge
    }
}
