using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;
using RollbackKit.Triggers;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Monitoring;

public class RollbackMonitorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Tick_ConditionHoldsForFiveMinutes_DispatchesOnceWithMeasuredValues()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5)
            .Script("canary_error_rate", (TimeSpan.Zero, 0.5), (2 * Minute, 5.2));

        await host.RunAsync(TimeSpan.FromMinutes(12));

        var request = Assert.Single(host.Dispatcher.Rollbacks);
        Assert.Equal("shop/checkout", request.Target.Id);
        Assert.Equal(RollbackTriggerType.MetricTrigger, request.TriggerType);
        Assert.Equal(RollbackSeverity.Critical, request.Severity);
        Assert.NotNull(request.Evidence);
        Assert.Equal(5.2, request.Evidence.Actual);
        Assert.Equal(0.75, request.Evidence.Threshold!.Value, 6);
        Assert.Contains(request.Evidence.Values, v => v.Name == "canary_error_rate" && v.Value == 5.2);
        Assert.Contains(request.Evidence.Values, v => v.Name == "baseline_error_rate" && v.Value == 0.5);
        // Failing since minute 2, fired once five minutes of failing have passed (ticks every 30 s).
        Assert.Equal(host.Source.Start + 2 * Minute, request.Evidence.FirstFailedAt);
        Assert.Equal(host.Source.Start + 7 * Minute, request.Evidence.DetectedAt);
        Assert.Contains("actual 5.2", request.Reason, StringComparison.Ordinal);

        // The For duration reads as configuration writes it.
        Assert.EndsWith(" for 5m", request.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_FlappingBelowForDuration_DoesNotDispatch()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5)
            .Script("canary_error_rate",
                (TimeSpan.Zero, 5.0), (4 * Minute, 0.4), (5 * Minute, 5.0), (9 * Minute, 0.4), (10 * Minute, 5.0));

        await host.RunAsync(TimeSpan.FromMinutes(14));

        Assert.Empty(host.Dispatcher.Requests);
    }

    [Fact]
    public async Task Tick_DryRunTrigger_HandsOverADryRunRecordOnly()
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers[0].DryRun = true;
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(6));

        Assert.Equal(1, ticks.Sum(t => t.Fired));
        var request = Assert.Single(host.Dispatcher.Requests);
        Assert.True(request.Evidence!.DryRun);
        Assert.Equal("shop/checkout", request.Target.Id);
        Assert.Equal(5.0, request.Evidence.Actual);
        Assert.Contains(request.Evidence.Values, v => v.Name == "canary_error_rate" && v.Value == 5.0);
        Assert.Empty(host.Dispatcher.Rollbacks);
        Assert.Empty(host.Dispatcher.Alerts);
    }

    [Fact]
    public async Task Tick_AlertOnlyTrigger_DispatchesAlertOnlyRequest()
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers[0].Action = TriggerAction.AlertOnly;
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        await host.RunAsync(TimeSpan.FromMinutes(6));

        Assert.Empty(host.Dispatcher.Rollbacks);
        Assert.True(Assert.Single(host.Dispatcher.Alerts).AlertOnly);
    }

    [Fact]
    public async Task Tick_SourceThrows_RecordsErrorsAndAlertsAfterLimitWithoutRollback()
    {
        var throwing = Substitute.For<IMetricSource>();
        throwing.Name.Returns("broken");
        throwing.QueryAsync(Arg.Any<MetricQueryBatch>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new HttpRequestException("connection refused"));
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Queries[0].Source = "broken";
            o.Queries[1].Source = "fake";
            o.Triggers[0].ErrorLimit = 3;
        }, configureServices: s => s.AddSingleton(throwing));
        host.Source.Set("baseline_error_rate", 0.5);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(2));

        Assert.All(ticks, t => Assert.Equal(1, t.QueryErrors));
        Assert.Empty(host.Dispatcher.Rollbacks);
        var alert = Assert.Single(host.Dispatcher.Alerts);
        Assert.Contains("connection refused", alert.Reason, StringComparison.Ordinal);
        Assert.Contains("3 consecutive measurement errors", alert.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_BreachSourceErrorBreach_ForRestartsAfterTheError()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5)
            .Script("canary_error_rate", (TimeSpan.Zero, 5.2), (4 * Minute, FakeMetricValue.Failure("HTTP 500")), (4.5 * Minute, 5.2));

        // Breaching from 0:00 with one error at 4:00: without the error it would fire at 5:00.
        await host.RunAsync(TimeSpan.FromMinutes(9));
        Assert.Empty(host.Dispatcher.Requests);

        await host.RunAsync(TimeSpan.FromMinutes(1));
        var request = Assert.Single(host.Dispatcher.Rollbacks);
        Assert.Equal(host.Source.Start + 4.5 * Minute, request.Evidence!.FirstFailedAt);
        Assert.Equal(host.Source.Start + 9.5 * Minute, request.Evidence.DetectedAt);
    }

    [Fact]
    public async Task Tick_SourceWarnings_CarriedInTickResultAndRequestEvidence()
    {
        var warning = new WarningSource("query 'canary_error_rate': PromQL info: metric might not be a counter");
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Queries[0].Source = "warning";
            o.Queries[1].Source = "fake";
            o.Triggers[0].For = TimeSpan.Zero;
        }, configureServices: s => s.AddSingleton<IMetricSource>(warning));
        host.Source.Set("baseline_error_rate", 0.5);

        var tick = await host.TickAsync();

        Assert.Equal([warning.Message], tick.Warnings);
        var request = Assert.Single(host.Dispatcher.Rollbacks);
        Assert.Equal([warning.Message], request.Evidence!.Warnings);

        // The journal's Requested record carries the request with its evidence.
        var json = System.Text.Json.JsonSerializer.Serialize(request, RollbackKit.Journal.JournalJson.Options);
        Assert.Contains("metric might not be a counter", json, StringComparison.Ordinal);

        // Without warnings nothing is carried (and nothing is allocated for them).
        warning.Enabled = false;
        Assert.Null((await host.TickAsync()).Warnings);
    }

    private sealed class WarningSource(string message) : IMetricSource
    {
        public string Message { get; } = message;

        public bool Enabled { get; set; } = true;

        public string Name => "warning";

        public ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
        {
            for (var i = 0; i < batch.Targets.Count; i++)
            {
                batch.SetValue(i, 5.2);
            }

            if (Enabled)
            {
                batch.AddWarning(Message);
            }

            return default;
        }
    }

    [Fact]
    public async Task Tick_SourceHangs_TimesOutOnFakeClockAsError()
    {
        var hanging = Substitute.For<IMetricSource>();
        hanging.Name.Returns("slow");
        hanging.QueryAsync(Arg.Any<MetricQueryBatch>(), Arg.Any<CancellationToken>())
            .Returns(call => new ValueTask(Task.Delay(Timeout.Infinite, call.Arg<CancellationToken>())));
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Queries[0].Source = "slow";
            o.Queries[0].Timeout = TimeSpan.FromSeconds(2);
            o.Queries[1].Source = "fake";
        }, configureServices: s => s.AddSingleton(hanging));

        var tick = host.Monitor.TickAsync().AsTask();
        Assert.False(tick.IsCompleted);
        host.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await tick.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.QueryErrors);
    }

    [Fact]
    public async Task Tick_NotLeader_SkipsEvaluation()
    {
        var leadership = Substitute.For<IMonitorLeadership>();
        leadership.IsLeaderAsync(Arg.Any<CancellationToken>()).Returns(false);
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate, configureServices: s => s.AddSingleton(leadership));
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(6));

        Assert.All(ticks, t => Assert.True(t.SkippedNotLeader));
        Assert.Equal(0, host.Source.QueryCount);
        Assert.Empty(host.Dispatcher.Requests);
    }

    [Fact]
    public async Task Probe_UnhealthyThenHealthy_ReportsFailingTrigger()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5).Script("canary_error_rate", (TimeSpan.Zero, 5.0), (Minute, 0.4));
        var probe = host.Services.GetRequiredService<ITargetHealthProbe>();
        var target = new RollbackTarget("shop/checkout", new Dictionary<string, string> { ["name"] = "checkout" });

        var before = await probe.ProbeAsync(target, CancellationToken.None);
        host.Time.Advance(Minute);
        var after = await probe.ProbeAsync(target, CancellationToken.None);

        Assert.False(before.Healthy);
        Assert.Contains("error-rate failing", before.Summary, StringComparison.Ordinal);
        Assert.True(after.Healthy);
        Assert.Contains(after.Values, v => v.Name == "canary_error_rate" && v.Value == 0.4);
    }

    [Fact]
    public async Task Tick_TenThousandTargetsGroupedSource_OneQueryPerNamePerTick()
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            for (var i = 0; i < 9_999; i++)
            {
                o.Targets.Add(new TargetDefinition { Id = $"t{i}", Labels = { ["name"] = $"t{i}" } });
            }
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 0.4);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(3, ticks.Count);
        Assert.Equal(6, host.Source.QueryCount); // 2 queries × 3 ticks, whatever the number of targets
        Assert.All(ticks, t => Assert.Equal(10_000, t.Verdicts));
    }
}
