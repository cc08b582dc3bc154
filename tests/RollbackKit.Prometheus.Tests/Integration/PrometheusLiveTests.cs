using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Monitoring;
using RollbackKit.Triggers;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RollbackKit.Prometheus.Tests.Integration;

/// <summary>A live exporter scraped every second by the real Prometheus; detection latency and fault behaviour.</summary>
[Collection(PrometheusServerGroup.Name)]
public sealed class PrometheusLiveTests(PrometheusFixture prometheus, ITestOutputHelper output)
{
    private const string Healthy = "app_error_ratio{deployment=\"live\"} 0.01\n";
    private const string Unhealthy = "app_error_ratio{deployment=\"live\"} 0.9\n";
    private static readonly RollbackTarget LiveTarget = new("shop/live", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "live" });
    private static readonly MetricQueryDefinition LiveQuery = new()
    {
        Name = "live_error_ratio",
        Expression = "max(app_error_ratio{deployment=\"{{name}}\"})",
        Timeout = TimeSpan.FromSeconds(2),
    };

    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);


    [Fact]
    public async Task QueryAsync_ExporterFlipsToUnhealthy_DetectedByOneSecondPolling()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var batch = new MetricQueryBatch(LiveQuery, [LiveTarget]);
        var latencies = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            prometheus.ExporterText = Healthy;
            Assert.True(await PollAsync(source, batch, v => v < 0.5, TimeSpan.FromSeconds(60)), "the healthy value was never scraped");
            await WaitForFreshScrapeAsync(source);

            prometheus.ExporterText = Unhealthy;
            var flipped = Stopwatch.StartNew();
            var detected = await PollAsync(source, batch, v => v > 0.5, TimeSpan.FromSeconds(30));
            flipped.Stop();
            prometheus.ExporterText = Healthy;

            Assert.True(detected, "the unhealthy value was not detected within 30 s");
            latencies.Add(flipped.Elapsed.TotalMilliseconds);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flip-to-detection (scrape 1 s, poll 1 s): {string.Join(", ", latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture) + " ms"))}"));
    }

    /// <summary>Waits until Prometheus scrapes the exporter every second (4 samples in the last 4 s, the last under 1.5 s old).</summary>
    private static async Task WaitForFreshScrapeAsync(IMetricSource source)
    {
        var batch = new MetricQueryBatch(
            new MetricQueryDefinition { Name = "age", Expression = "max(time() - timestamp(app_error_ratio{deployment=\"{{name}}\"}))" },
            [LiveTarget]);
        Assert.True(await PollAsync(source, batch, age => age < 1.5, TimeSpan.FromSeconds(60)), "Prometheus is not scraping the exporter every second");
        var regular = new MetricQueryBatch(
            new MetricQueryDefinition { Name = "scrapes", Expression = "max(count_over_time(app_error_ratio{deployment=\"{{name}}\"}[4s]))" },
            [LiveTarget]);
        Assert.True(await PollAsync(source, regular, count => count >= 4, TimeSpan.FromSeconds(60)), "Prometheus is not scraping the exporter every second");
    }

    [Fact]
    public async Task QueryAsync_PrometheusKilledThenRestarted_ErrorsWithoutRollbackThenValuesResume()
    {
        var source = prometheus.CreateSource(_instrumentation, o => o.MaxRetries = 1);
        using var errors = new MetricCollector<long>(_instrumentation.QueryErrors);
        var batch = new MetricQueryBatch(LiveQuery, [LiveTarget]);
        var evaluator = new TriggerEvaluator("live_error_ratio", "live_error_ratio > 0.5", TimeSpan.Zero, errorLimit: 3);
        var dispatcher = new RecordingDispatcher();
        prometheus.ExporterText = Healthy;
        Assert.True(await PollAsync(source, batch, v => v < 0.5, TimeSpan.FromSeconds(60)), "no value before the fault");

        prometheus.Kill();
        try
        {
            var now = DateTimeOffset.UtcNow;
            var steps = await ScenarioReplay.RunAsync(source, batch, 0, evaluator, now, now.AddSeconds(4), TimeSpan.FromSeconds(1), dispatcher);

            Assert.All(steps, s => Assert.Equal(MetricSampleStatus.Error, s.Status));
            Assert.Contains("cannot reach Prometheus", steps[0].Error, StringComparison.Ordinal);
            Assert.True(evaluator.ErrorAlertRaised);
            Assert.Null(evaluator.FiredAt);
            Assert.Empty(dispatcher.Requests);
            Assert.True(errors.GetMeasurementSnapshot().Sum(m => m.Value) >= 5);
        }
        finally
        {
            await prometheus.StartAsync();
        }

        Assert.True(await PollAsync(source, batch, v => v < 0.5, TimeSpan.FromSeconds(60)), "values did not resume after the restart");
        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
    }

    [Fact]
    public async Task RollbackMonitor_WithPrometheusSource_DispatchesOnceWhenExporterTurnsUnhealthy()
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
            o.Queries.Add(new MetricQueryDefinition { Name = "live_error_ratio", Source = "prometheus", Expression = LiveQuery.Expression });
            o.Triggers.Add(new TriggerDefinition { Name = "error-ratio", Condition = "live_error_ratio > 0.5", Severity = RollbackSeverity.Critical });
        }).AddPrometheus(o => o.BaseAddress = prometheus.BaseAddress);
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IRollbackMonitor>();
        var source = Assert.Single(provider.GetServices<IMetricSource>());
        var batch = new MetricQueryBatch(LiveQuery, [LiveTarget]);

        prometheus.ExporterText = Healthy;
        Assert.True(await PollAsync(source, batch, v => v < 0.5, TimeSpan.FromSeconds(60)), "the healthy value was never scraped");
        var healthyTick = await monitor.TickAsync();
        Assert.Equal(0, healthyTick.Dispatched);
        Assert.Equal(0, healthyTick.QueryErrors);

        prometheus.ExporterText = Unhealthy;
        var sinceFlip = Stopwatch.StartNew();
        try
        {
            // The monitor ticks once a second, as with EvaluationInterval = 1 s.
            var dispatched = await Eventually.TrueAsync(async () => (await monitor.TickAsync()).Dispatched > 0, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
            Assert.True(dispatched, "the monitor did not dispatch within 30 s");
            output.WriteLine($"flip to dispatcher call: {sinceFlip.ElapsedMilliseconds} ms (scrape every 1 s, tick every 1 s)");
            var afterwards = await monitor.TickAsync();

            Assert.Equal(0, afterwards.Dispatched);
            var request = Assert.Single(dispatcher.Requests);
            Assert.Equal("shop/live", request.Target.Id);
            Assert.Equal(RollbackTriggerType.MetricTrigger, request.TriggerType);
            Assert.Equal(RollbackSeverity.Critical, request.Severity);
        }
        finally
        {
            prometheus.ExporterText = Healthy;
        }
    }

    /// <summary>Queries once a second (as the monitor would) until the value satisfies <paramref name="predicate"/>.</summary>
    private static async Task<bool> PollAsync(IMetricSource source, MetricQueryBatch batch, Func<double, bool> predicate, TimeSpan timeout)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var deadline = Stopwatch.StartNew();
        do
        {
            batch.Reset(DateTimeOffset.UtcNow);
            await source.QueryAsync(batch, CancellationToken.None);
            if (batch.Statuses[0] == MetricSampleStatus.Value && predicate(batch.Values[0]))
            {
                return true;
            }
        }
        while (deadline.Elapsed < timeout && await timer.WaitForNextTickAsync());

        return false;
    }
}
