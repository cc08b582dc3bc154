using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;

namespace RollbackKit.Tests.Monitoring;

public class MonitorMetricsTests
{
    [Fact]
    public async Task Tick_TriggerFires_RecordsEvaluationVerdictsAndFire()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate, configureServices: s => s.AddMetrics());
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        using var fired = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.trigger.fired");
        using var verdicts = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.verdicts");
        using var evaluation = new MetricCollector<double>(meterFactory, "RollbackKit", "rollbackkit.evaluation.duration");
        using var detection = new MetricCollector<double>(meterFactory, "RollbackKit", "rollbackkit.trigger.detection_time");
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var ticks = await host.RunAsync(TimeSpan.FromMinutes(6));

        var fire = Assert.Single(fired.GetMeasurementSnapshot());
        Assert.Equal(1, fire.Value);
        Assert.Equal("error-rate", fire.Tags["rollbackkit.trigger.name"]);
        Assert.Equal("P0", fire.Tags["rollbackkit.severity"]);
        Assert.Equal(ticks.Count, evaluation.GetMeasurementSnapshot().Count);
        var failing = verdicts.GetMeasurementSnapshot().Where(m => (string?)m.Tags["rollbackkit.outcome"] == "fail").Sum(m => m.Value);
        Assert.Equal(ticks.Count, failing); // one target × one trigger failing on every tick
        Assert.True(Assert.Single(detection.GetMeasurementSnapshot()).Value >= 0);
    }
}
