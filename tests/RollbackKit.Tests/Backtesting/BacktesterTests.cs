using RollbackKit.Backtesting;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

public class BacktesterTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset T0 = BacktestHost.Start;

    private static void Config(RollbackKitOptions o)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(30);
        o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["namespace"] = "shop", ["name"] = "checkout" } });
        o.Targets.Add(new TargetDefinition { Id = "shop/cart", Labels = { ["namespace"] = "shop", ["name"] = "cart" } });
        o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "errors{name=\"{{name}}\"}" });
        o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 2", For = 2 * Minute, Severity = RollbackSeverity.Critical });
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
    }

    /// <summary>Checkout's error rate is 5 during the given minute ranges, else 0.5; cart is always 0.5.</summary>
    private static SeriesSource Spikes(params (int From, int To)[] spikes) => new("series", (_, target, at) =>
    {
        var minute = (at - T0).TotalMinutes;
        var spiking = target == "shop/checkout" && spikes.Any(s => minute >= s.From && minute < s.To);
        return Sample.Of(spiking ? 5 : 0.5);
    });

    private static BacktestRequest Range(int minutes) => new() { From = T0, To = T0 + (minutes * Minute), Step = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task RunAsync_SpikeHeldPastFor_FiresOnceWhenForHasElapsedAndWouldRollBack()
    {
        await using var host = BacktestHost.Create(Config, Spikes((10, 60)));

        var result = await host.Backtester().RunAsync(Range(30));

        var fire = Assert.Single(result.Fires);
        Assert.Equal("shop/checkout", fire.Target);
        Assert.Equal("error-rate", fire.Trigger);
        Assert.Equal(T0 + (12 * Minute), fire.At);
        Assert.Equal(T0 + (10 * Minute), fire.BreachingSince);
        Assert.Equal(RollbackSeverity.Critical, fire.Severity);
        Assert.Equal(TriggerAction.Rollback, fire.Action);
        Assert.Equal(DispatchStatus.Started, fire.Decision);
        Assert.Equal(5, fire.Values["error_rate"]);
        Assert.Equal(T0, result.From);
        Assert.Equal(T0 + (30 * Minute), result.To);
        Assert.Empty(result.Errors);

        var checkout = result.Targets.Single(t => t.Id == "shop/checkout").Triggers.Single();
        Assert.Equal(["error_rate"], checkout.Values);
        Assert.Equal(61, checkout.Points.Count);
        var before = checkout.Points.Single(p => p.At == T0 + (11 * Minute));
        Assert.True(before.Failed);
        Assert.False(before.Fired);
        Assert.Equal(T0 + (10 * Minute), before.State.BreachingSince);
        Assert.Equal(3, before.State.ConsecutiveFailures);
        Assert.Equal(2, before.Threshold);
        Assert.Contains("fires in 1 min 0 s", before.Why, StringComparison.Ordinal);
        var fired = checkout.Points.Single(p => p.Fired);
        Assert.Equal(fire.At, fired.At);
        Assert.True(checkout.Points[^1].State.Latched);
        Assert.Contains("already fired", checkout.Points[^1].Why, StringComparison.Ordinal);
        Assert.All(result.Targets.Single(t => t.Id == "shop/cart").Triggers.Single().Points, p => Assert.Equal(TriggerOutcome.Pass, p.Outcome));
    }

    [Fact]
    public async Task RunAsync_SecondEpisodeWithinCooldown_IsRefusedByAdmission()
    {
        await using var host = BacktestHost.Create(Config, Spikes((2, 6), (8, 30)));

        var result = await host.Backtester().RunAsync(Range(30));

        Assert.Equal([T0 + (4 * Minute), T0 + (10 * Minute)], result.Fires.Select(f => f.At));
        Assert.Equal(DispatchStatus.Started, result.Fires[0].Decision);
        Assert.Equal(DispatchStatus.Refused, result.Fires[1].Decision);
        Assert.Contains("cooldown", result.Fires[1].DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AssumedRollbackStillRunning_LaterFireJoinsIt()
    {
        await using var host = BacktestHost.Create(Config, Spikes((2, 6), (8, 30)));

        var result = await host.Backtester().RunAsync(Range(30) with { AssumedRollbackDuration = 30 * Minute });

        Assert.Equal(DispatchStatus.Joined, result.Fires[1].Decision);
    }

    [Fact]
    public async Task RunAsync_KillSwitchForTarget_FireOnlyAlerts()
    {
        await using var host = BacktestHost.Create(o => { Config(o); o.Targets[0].AutoRollback = false; }, Spikes((10, 30)));

        var fire = Assert.Single((await host.Backtester().RunAsync(Range(30))).Fires);

        Assert.Equal(DispatchStatus.AlertRaised, fire.Decision);
        Assert.Contains("kill switch", fire.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DryRunTrigger_FireIsRecordedNotActedOn()
    {
        await using var host = BacktestHost.Create(o => { Config(o); o.Triggers[0].DryRun = true; }, Spikes((10, 30)));

        var fire = Assert.Single((await host.Backtester().RunAsync(Range(30))).Fires);

        Assert.True(fire.DryRun);
        Assert.Equal(DispatchStatus.DryRunRecorded, fire.Decision);
    }

    [Fact]
    public async Task RunAsync_MediumSeverity_AlertsUnderTheP2Policy()
    {
        await using var host = BacktestHost.Create(o => { Config(o); o.Triggers[0].Severity = RollbackSeverity.Medium; }, Spikes((10, 30)));

        var fire = Assert.Single((await host.Backtester().RunAsync(Range(30))).Fires);

        Assert.Equal(RollbackSeverity.Medium, fire.Severity);
        Assert.Equal(DispatchStatus.AlertRaised, fire.Decision);
        Assert.Contains("P2", fire.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_QueryAlwaysFails_NeverFiresAndReportsTheErrorAndTheErrorLimit()
    {
        var failing = new SeriesSource("series", (_, _, _) => Sample.Error);
        await using var host = BacktestHost.Create(o => { Config(o); o.Triggers[0].ErrorLimit = 3; }, failing);

        var result = await host.Backtester().RunAsync(Range(10));

        Assert.Empty(result.Fires);
        Assert.Equal(["query 'error_rate' failed"], result.Errors);
        var points = result.Targets[0].Triggers[0].Points;
        Assert.All(points, p => Assert.Equal(TriggerOutcome.Error, p.Outcome));
        Assert.True(points[2].ErrorLimitReached);
        Assert.Contains("reached the error limit", points[2].Why, StringComparison.Ordinal);
        Assert.Equal("query 'error_rate' failed", points[0].Error);
    }

    [Fact]
    public async Task RunAsync_HistorySourceThrows_EveryStepIsAnErrorNamingTheSource()
    {
        var throwing = new ThrowingHistorySource();
        await using var host = BacktestHost.Create(Config, new SeriesSource("series", (_, _, _) => Sample.Of(9)));
        var backtester = new RollbackKit.Backtesting.Internal.Backtester(
            Microsoft.Extensions.Options.Options.Create(host.Options),
            Microsoft.Extensions.Options.Options.Create(new DispatchOptions()),
            (IRollbackTargetCatalog)host.Services.GetService(typeof(IRollbackTargetCatalog))!,
            [throwing]);

        var result = await backtester.RunAsync(Range(5));

        Assert.Empty(result.Fires);
        Assert.Contains("failed in history source 'series': HttpRequestException: connection refused", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TargetFilter_ReplaysOnlyThoseTargets()
    {
        await using var host = BacktestHost.Create(Config, Spikes((10, 30)));

        var result = await host.Backtester().RunAsync(Range(30) with { Targets = ["shop/cart"] });

        Assert.Equal(["shop/cart"], result.Targets.Select(t => t.Id));
        Assert.Empty(result.Fires);
        await Assert.ThrowsAsync<ArgumentException>(() => host.Backtester().RunAsync(Range(30) with { Targets = ["shop/nope"] }));
    }

    [Theory]
    [InlineData(-1, 30)]
    [InlineData(10, 0)]
    public async Task RunAsync_InvalidRangeOrStep_Throws(int minutes, int stepSeconds)
    {
        await using var host = BacktestHost.Create(Config, Spikes());

        await Assert.ThrowsAsync<ArgumentException>(() => host.Backtester().RunAsync(Range(minutes) with { Step = TimeSpan.FromSeconds(stepSeconds) }));
    }

    [Fact]
    public async Task RunAsync_CapturedBaseline_ThresholdIsBaselineTimesFactorAndFiresOnRegression()
    {
        var series = new SeriesSource("series", (_, _, at) => Sample.Of(at - T0 < 10 * Minute ? 1.0 : 3.0));
        await using var host = BacktestHost.Create(
            o =>
            {
                Config(o);
                o.Baselines.Add(new BaselineDefinition { Name = "baseline_error_rate", Query = "error_rate", Window = 5 * Minute });
                o.Triggers[0].Condition = "error_rate > baseline_error_rate * 2";
            },
            series);

        var result = await host.Backtester().RunAsync(Range(20));

        var points = result.Targets[0].Triggers[0].Points;
        Assert.Equal(["error_rate", "baseline_error_rate"], result.Targets[0].Triggers[0].Values);
        Assert.All(points.Where(p => p.At < T0 + (5 * Minute)), p => Assert.Equal(TriggerOutcome.NoData, p.Outcome));
        Assert.Equal(2.0, points.Single(p => p.At == T0 + (6 * Minute)).Threshold);
        Assert.Equal([T0 + (12 * Minute), T0 + (12 * Minute)], result.Fires.Select(f => f.At));
    }

    [Fact]
    public async Task RunAsync_ReportsFetchingThenReplayingProgress()
    {
        await using var host = BacktestHost.Create(Config, Spikes());
        var reports = new List<BacktestProgress>();

        await host.Backtester().RunAsync(Range(10), new SynchronousProgress(reports.Add));

        Assert.Equal(new BacktestProgress(BacktestPhase.Fetching, 1, 1), reports[0]);
        Assert.Equal(new BacktestProgress(BacktestPhase.Replaying, 21, 21), reports[^1]);
    }

    private sealed class SynchronousProgress(Action<BacktestProgress> report) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value) => report(value);
    }

    private sealed class ThrowingHistorySource : IMetricHistorySource
    {
        public string Name => "series";

        public ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken) =>
            throw new HttpRequestException("connection refused");
    }
}
