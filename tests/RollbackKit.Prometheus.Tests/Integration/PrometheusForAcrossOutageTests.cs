using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Triggers;
using Xunit.Abstractions;

namespace RollbackKit.Prometheus.Tests.Integration;

/// <summary>The real Prometheus stopped in the middle of a trigger's <c>For</c>: the errors restart the For clock.</summary>
[Collection(PrometheusServerGroup.Name)]
public sealed class PrometheusForAcrossOutageTests(PrometheusFixture prometheus, ITestOutputHelper output)
{
    private const string Healthy = "app_error_ratio{deployment=\"live\"} 0.01\n";
    private const string Unhealthy = "app_error_ratio{deployment=\"live\"} 0.9\n";
    private static readonly TimeSpan For = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task RollbackMonitor_PrometheusStoppedMidFor_FiresOnlyAfterAFullForOfBreachesAfterTheRestart()
    {
        var dispatcher = new RecordingDispatcher();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IRollbackDispatcher>(dispatcher);
        services.AddRollbackKit(o =>
        {
            o.MonitorEnabled = false;
            o.Targets.Add(new TargetDefinition { Id = "shop/live", Labels = { ["namespace"] = "shop", ["name"] = "live" } });
            o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
            o.Queries.Add(new MetricQueryDefinition { Name = "live_error_ratio", Source = "prometheus", Expression = "max(app_error_ratio{deployment=\"{{name}}\"})" });
            o.Triggers.Add(new TriggerDefinition { Name = "error-ratio", Condition = "live_error_ratio > 0.5", For = For, ErrorLimit = 100 });
        }).AddPrometheus(o => o.BaseAddress = prometheus.BaseAddress);
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IRollbackMonitor>();

        prometheus.ExporterText = Unhealthy;
        try
        {
            // Breaching (the exporter's unhealthy value scraped), one tick, well short of For.
            Assert.True(await UnhealthyScrapedAsync(), "the unhealthy value was never scraped");
            var firstBreach = DateTimeOffset.UtcNow;
            var breach = await monitor.TickAsync();
            Assert.Equal(0, breach.QueryErrors);
            Assert.Equal(0, breach.Dispatched);

            // Prometheus stops: error ticks until the old episode would have lasted longer than For.
            prometheus.Kill();
            var errorTicks = 0;
            do
            {
                var tick = await monitor.TickAsync();
                Assert.Equal(1, tick.QueryErrors);
                Assert.Equal(0, tick.Dispatched);
                errorTicks++;
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
            while (DateTimeOffset.UtcNow - firstBreach < For + TimeSpan.FromSeconds(1) || errorTicks < 2);

            await prometheus.StartAsync();
            var restarted = DateTimeOffset.UtcNow;

            // The first breach after the restart must not fire: the errors ended the old episode.
            Assert.True(await TickUntilAsync(monitor, r => r.QueryErrors == 0, TimeSpan.FromSeconds(60)), "no answer after the restart");
            Assert.Empty(dispatcher.Requests);

            // A full For of consecutive breaches later it fires, once.
            Assert.True(await TickUntilAsync(monitor, r => r.Dispatched > 0, TimeSpan.FromSeconds(30)), "did not fire after the restart");
            var request = Assert.Single(dispatcher.Requests);
            var evidence = request.Evidence!;
            output.WriteLine($"error ticks {errorTicks}; first failing after restart {evidence.FirstFailedAt:O}; detected {evidence.DetectedAt:O}");
            Assert.True(evidence.FirstFailedAt >= restarted, $"the For clock ran across the outage: first failing at {evidence.FirstFailedAt:O}, restart at {restarted:O}");
            Assert.True(evidence.DetectedAt - evidence.FirstFailedAt >= For);
        }
        finally
        {
            prometheus.ExporterText = Healthy;
        }
    }

    private async Task<bool> UnhealthyScrapedAsync()
    {
        var source = prometheus.CreateSource(new PrometheusInstrumentation(TestMeters.Factory));
        var batch = new MetricQueryBatch(
            new MetricQueryDefinition { Name = "probe", Expression = "max(app_error_ratio{deployment=\"{{name}}\"})" },
            [new RollbackTarget("shop/live", new Dictionary<string, string> { ["name"] = "live" })]);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            batch.Reset(DateTimeOffset.UtcNow);
            await source.QueryAsync(batch, CancellationToken.None);
            if (batch.Statuses[0] == MetricSampleStatus.Value && batch.Values[0] > 0.5)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        return false;
    }

    /// <summary>Ticks about once a second until <paramref name="done"/> holds for a tick's result.</summary>
    private static async Task<bool> TickUntilAsync(IRollbackMonitor monitor, Func<MonitorTickResult, bool> done, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (done(await monitor.TickAsync()))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return false;
    }
}
