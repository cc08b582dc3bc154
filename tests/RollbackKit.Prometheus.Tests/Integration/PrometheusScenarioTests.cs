using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RollbackKit.Prometheus.Tests.Integration;

/// <summary>Deterministic scenarios replayed at explicit evaluation times against the real Prometheus.</summary>
[Collection(PrometheusServerGroup.Name)]
public sealed class PrometheusScenarioTests(PrometheusFixture prometheus, ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);

    private static readonly RollbackTarget[] ShopTargets =
    [
        new("shop/checkout", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "checkout" }),
        new("shop/healthy", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "healthy" }),
        new("shop/flappy", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "flappy" }),
    ];

    private static MetricQueryDefinition ErrorRateQuery => new()
    {
        Name = "error_rate_per_minute",
        Expression = "sum by (deployment) (rate(http_requests_errors_total{namespace=\"{{namespace}}\"}[{{interval}}])) * 60",
        GroupBy = "deployment",
        TargetLabel = "name",
    };


    [Fact]
    public async Task ErrorRateSpike_RateJumpsAtTenTwelve_FiresWithinOneEvaluationAfterFor()
    {
        var source = prometheus.CreateSource(_instrumentation, o => o.Interval = "1m");
        var batch = new MetricQueryBatch(ErrorRateQuery, ShopTargets);
        var forDuration = TimeSpan.FromMinutes(2);
        var evaluator = new TriggerEvaluator("error_rate_per_minute", "error_rate_per_minute > 2", forDuration);
        var dispatcher = new RecordingDispatcher();

        var steps = await ScenarioReplay.RunAsync(source, batch, 0, evaluator, prometheus.At(10, 0), prometheus.At(10, 30), Step, dispatcher);
        output.WriteLine(ScenarioReplay.Describe(steps));

        var spike = prometheus.At(10, 12);
        Assert.All(steps.Where(s => s.Time < spike), s => Assert.InRange(s.Value, 0.45, 0.55));
        Assert.NotNull(evaluator.FirstFailingAt);
        // The 1m rate window sees the spike at most one window plus one evaluation after it starts.
        Assert.InRange(evaluator.FirstFailingAt!.Value, spike, spike + TimeSpan.FromMinutes(1) + Step);
        Assert.NotNull(evaluator.FiredAt);
        Assert.InRange(evaluator.FiredAt!.Value, evaluator.FirstFailingAt.Value + forDuration, evaluator.FirstFailingAt.Value + forDuration + Step);
        var request = Assert.Single(dispatcher.Requests);
        Assert.Equal("shop/checkout", request.Target.Id);
        Assert.InRange(steps.Last().Value, 5.0, 5.4);
    }

    [Fact]
    public async Task HealthyDeploy_SteadyLowErrorRate_NeverFires()
    {
        var source = prometheus.CreateSource(_instrumentation, o => o.Interval = "1m");
        var batch = new MetricQueryBatch(ErrorRateQuery, ShopTargets);
        var evaluator = new TriggerEvaluator("error_rate_per_minute", "error_rate_per_minute > 2", TimeSpan.FromMinutes(2));
        var dispatcher = new RecordingDispatcher();

        var steps = await ScenarioReplay.RunAsync(source, batch, 1, evaluator, prometheus.At(10, 0), prometheus.At(10, 30), Step, dispatcher);

        Assert.All(steps, s => Assert.Equal(MetricSampleStatus.Value, s.Status));
        Assert.All(steps, s => Assert.InRange(s.Value, 0.45, 0.55));
        Assert.Null(evaluator.FiredAt);
        Assert.Empty(dispatcher.Requests);
    }

    [Fact]
    public async Task FlappingMetric_HighForTwoMinutesAtATime_DoesNotFireWithThreeMinuteFor()
    {
        var source = prometheus.CreateSource(_instrumentation, o => o.Interval = "1m");
        var batch = new MetricQueryBatch(ErrorRateQuery, ShopTargets);
        var evaluator = new TriggerEvaluator("error_rate_per_minute", "error_rate_per_minute > 2", TimeSpan.FromMinutes(3));
        var dispatcher = new RecordingDispatcher();

        var steps = await ScenarioReplay.RunAsync(source, batch, 2, evaluator, prometheus.At(10, 0), prometheus.At(10, 30), Step, dispatcher);
        output.WriteLine(ScenarioReplay.Describe(steps));

        // The condition does fail repeatedly, but never for three minutes in a row.
        Assert.True(evaluator.FailingObservations >= 6, ScenarioReplay.Describe(steps));
        Assert.Null(evaluator.FiredAt);
        Assert.Empty(dispatcher.Requests);
    }

    [Fact]
    public async Task MemoryLeak_FortyFiveToSeventyFiveToNinetyTwoPercent_FiresAtNinetyPercentTrigger()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition
        {
            Name = "memory_percent_of_limit",
            Expression = "100 * max(container_memory_working_set_bytes{namespace=\"{{namespace}}\",container=\"{{name}}\"}) / max(kube_pod_container_resource_limits{namespace=\"{{namespace}}\",container=\"{{name}}\",resource=\"memory\"})",
        };
        RollbackTarget[] targets = [new("shop/cart", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "cart" })];
        var batch = new MetricQueryBatch(query, targets);
        var evaluator = new TriggerEvaluator("memory_percent_of_limit", "memory_percent_of_limit > 90", TimeSpan.FromMinutes(1));
        var dispatcher = new RecordingDispatcher();

        var steps = await ScenarioReplay.RunAsync(source, batch, 0, evaluator, prometheus.At(10, 0), prometheus.At(10, 30), Step, dispatcher);
        output.WriteLine(ScenarioReplay.Describe(steps));

        Assert.Equal(45, steps.Single(s => s.Time == prometheus.At(10, 5)).Value, 6);
        Assert.Equal(75, steps.Single(s => s.Time == prometheus.At(10, 15)).Value, 6);
        Assert.Equal(92, steps.Single(s => s.Time == prometheus.At(10, 25)).Value, 6);
        Assert.Equal(prometheus.At(10, 20), evaluator.FirstFailingAt);
        Assert.Equal(prometheus.At(10, 21), evaluator.FiredAt);
        Assert.Single(dispatcher.Requests);
    }

    [Fact]
    public async Task CounterIncrease_FirstFailureAtTenFifteen_FiresImmediately()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition
        {
            Name = "payment_failures",
            Expression = "sum(increase(payment_failures_total{namespace=\"{{namespace}}\",deployment=\"{{name}}\"}[1m]))",
        };
        RollbackTarget[] targets = [new("shop/payments", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "payments" })];
        var batch = new MetricQueryBatch(query, targets);
        var evaluator = new TriggerEvaluator("payment_failures", "payment_failures > 0", TimeSpan.Zero);
        var dispatcher = new RecordingDispatcher();

        var steps = await ScenarioReplay.RunAsync(source, batch, 0, evaluator, prometheus.At(10, 0), prometheus.At(10, 30), Step, dispatcher);
        output.WriteLine(ScenarioReplay.Describe(steps));

        Assert.All(steps.Where(s => s.Time < prometheus.At(10, 15)), s => Assert.Equal(0, s.Value));
        Assert.NotNull(evaluator.FiredAt);
        Assert.InRange(evaluator.FiredAt!.Value, prometheus.At(10, 15), prometheus.At(10, 15) + Step);
        Assert.Single(dispatcher.Requests);
    }

    [Theory]
    [InlineData("sum by (deployment) (rate(http_requests_total{namespace=\"{{namespace}}\"}[1m]))", "deployment")]
    [InlineData("sum(rate(http_requests_total{namespace=\"{{namespace}}\",deployment=\"{{name}}\"}[1m]))", null)]
    public async Task CanaryWithoutTraffic_GroupedOrPerTargetQuery_IsNoDataNotZero(string expression, string? groupBy)
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition { Name = "request_rate", Expression = expression, GroupBy = groupBy };
        RollbackTarget[] targets =
        [
            new("shop/stable", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "stable" }),
            new("shop/canary", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "canary" }),
        ];
        var batch = new MetricQueryBatch(query, targets);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
        Assert.Equal(2.0, batch.Values[0], 6);
        Assert.Equal(MetricSampleStatus.NoData, batch.Statuses[1]);
        Assert.True(double.IsNaN(batch.Values[1]));
    }

    [Fact]
    public async Task GroupedQuery_ThreeTargets_AnswersEachFromOneRequest()
    {
        var source = prometheus.CreateSource(_instrumentation, o => o.Interval = "1m");
        var batch = new MetricQueryBatch(ErrorRateQuery, ShopTargets);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal([MetricSampleStatus.Value, MetricSampleStatus.Value, MetricSampleStatus.Value], batch.Statuses.ToArray());
        Assert.Equal(5.2, batch.Values[0], 3);
        Assert.Equal(0.5, batch.Values[1], 3);
    }
}
