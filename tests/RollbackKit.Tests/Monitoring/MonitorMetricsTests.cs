using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NSubstitute;
using RollbackKit.Metrics;
using RollbackKit.Telemetry;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;

namespace RollbackKit.Tests.Monitoring;

public class MonitorMetricsTests
{
    [Fact]
    public async Task Tick_TriggerFires_RecordsEvaluationVerdictsAndFire()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        var meterFactory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var fired = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.trigger.fired");
        using var verdicts = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.verdicts");
        using var evaluation = new MetricCollector<double>(meterFactory, "RollbackKit", "rollbackkit.evaluation.duration");
        using var tick = new MetricCollector<double>(meterFactory, "RollbackKit", "rollbackkit.tick.duration");
        using var detection = new MetricCollector<double>(meterFactory, "RollbackKit", "rollbackkit.trigger.detection_time");
        using var queryErrors = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.query.errors");
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(6));

        // Ticks every 30 s from 0:00 to 6:00; failing from the first tick, For = 5 min: fires once, at 5:00.
        Assert.Equal(13, ticks.Count);
        var fire = Assert.Single(fired.GetMeasurementSnapshot());
        Assert.Equal(1, fire.Value);
        Assert.Equal("error-rate", fire.Tags[RollbackKitTags.Trigger]);
        Assert.Equal("P0", fire.Tags[RollbackKitTags.Severity]);
        Assert.Equal(false, fire.Tags[RollbackKitTags.DryRun]);

        // One measurement per outcome per tick; one target × one trigger failing on every tick.
        var byOutcome = verdicts.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags[RollbackKitTags.Outcome]!)
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Sum: g.Sum(m => m.Value)));
        Assert.Equal(["error", "fail", "inconclusive", "pass"], byOutcome.Keys.Order());
        Assert.Equal((13, 13L), byOutcome["fail"]);
        Assert.Equal((13, 0L), byOutcome["pass"]);
        Assert.Equal((13, 0L), byOutcome["inconclusive"]);
        Assert.Equal((13, 0L), byOutcome["error"]);

        // Durations come from the (fake) TimeProvider, which does not move during a tick.
        Assert.Equal(Enumerable.Repeat(0d, 13), evaluation.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(Enumerable.Repeat(0d, 13), tick.GetMeasurementSnapshot().Select(m => m.Value));

        // From the first failing measurement (0:00) to the dispatch (5:00).
        Assert.Equal(300d, Assert.Single(detection.GetMeasurementSnapshot()).Value);
        Assert.Empty(queryErrors.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Tick_SourceFails_CountsOneErrorPerTickTaggedWithTheQueryAndSource()
    {
        var broken = Substitute.For<IMetricSource>();
        broken.Name.Returns("broken");
        broken.QueryAsync(Arg.Any<MetricQueryBatch>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new HttpRequestException("connection refused"));
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Queries[0].Source = "broken";
            o.Queries[1].Source = "fake";
        }, configureServices: s => s.AddSingleton(broken));
        var meterFactory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var queryErrors = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.query.errors");
        using var verdicts = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.verdicts");
        host.Source.Set("baseline_error_rate", 0.5);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(3, ticks.Count);
        var errors = queryErrors.GetMeasurementSnapshot();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, m =>
        {
            Assert.Equal(1, m.Value);
            Assert.Equal("canary_error_rate", m.Tags[RollbackKitTags.Query]);
            Assert.Equal("broken", m.Tags[RollbackKitTags.Source]);
        });
        Assert.Equal(3, verdicts.GetMeasurementSnapshot().Where(m => (string?)m.Tags[RollbackKitTags.Outcome] == "error").Sum(m => m.Value));
    }
}
