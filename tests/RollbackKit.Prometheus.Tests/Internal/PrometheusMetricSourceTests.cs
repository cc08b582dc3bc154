using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>Request fan-out of the source against a loopback stub (how many requests, how many at once, which queries).</summary>
public sealed class PrometheusMetricSourceTests
{
    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);
    private readonly ConcurrentQueue<string> _queries = new();
    private int _inFlight;
    private int _maxInFlight;


    private async Task HandleAsync(HttpContext context)
    {
        var current = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, current);
        try
        {
            var form = await context.Request.ReadFormAsync();
            var query = form["query"].ToString();
            _queries.Enqueue(query);
            // Hold the request briefly so that concurrent requests overlap.
            await Task.Delay(50);
            var body = query.StartsWith("sum by", StringComparison.Ordinal)
                ? """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a"},"value":[1,"1"]},{"metric":{"deployment":"c"},"value":[1,"3"]},{"metric":{"deployment":"zzz"},"value":[1,"9"]}]}}"""
                : """{"status":"success","data":{"resultType":"scalar","result":[1,"5"]}}""";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref location)) < value && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }

    private static RollbackTarget[] Targets(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new RollbackTarget("t" + i, new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = ((char)('a' + i)).ToString() }))];

    [Fact]
    public async Task QueryAsync_GroupBy_OneRequestForAllTargetsAndMissingTargetIsNoData()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixtureFactory(server.BaseAddress);
        var query = new MetricQueryDefinition { Name = "q", Expression = "sum by (deployment) (x{namespace=\"{{namespace}}\"})", GroupBy = "deployment" };
        var batch = new MetricQueryBatch(query, Targets(3));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal("sum by (deployment) (x{namespace=\"shop\"})", Assert.Single(_queries));
        Assert.Equal([MetricSampleStatus.Value, MetricSampleStatus.NoData, MetricSampleStatus.Value], batch.Statuses.ToArray());
        Assert.Equal(1, batch.Values[0]);
        Assert.Equal(3, batch.Values[2]);
    }

    [Fact]
    public async Task QueryAsync_GroupByWithTargetSpecificPlaceholder_IsErrorForAll()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixtureFactory(server.BaseAddress);
        var query = new MetricQueryDefinition { Name = "q", Expression = "sum by (deployment) (x{deployment=\"{{name}}\"})", GroupBy = "deployment" };
        var batch = new MetricQueryBatch(query, Targets(2));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Empty(_queries);
        Assert.Equal([MetricSampleStatus.Error, MetricSampleStatus.Error], batch.Statuses.ToArray());
        Assert.Contains("targets differ in '{{name}}'", batch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_PerTarget_OneRequestPerTargetWithBoundedConcurrency()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixtureFactory(server.BaseAddress, o => o.MaxConcurrency = 2);
        var query = new MetricQueryDefinition { Name = "q", Expression = "x{deployment=\"{{name}}\"}" };
        var batch = new MetricQueryBatch(query, Targets(6));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(6, _queries.Count);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], _queries.Select(q => q["x{deployment=\"".Length..^2]).Order().ToArray());
        Assert.InRange(_maxInFlight, 1, 2);
        Assert.All(batch.Values.ToArray(), v => Assert.Equal(5, v));
    }

    [Fact]
    public async Task QueryAsync_SameBatchTwice_SendsTheSameRenderedQuery()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixtureFactory(server.BaseAddress);
        var query = new MetricQueryDefinition { Name = "q", Expression = "sum by (deployment) (x{namespace=\"{{namespace}}\"})", GroupBy = "deployment" };
        var batch = new MetricQueryBatch(query, Targets(3));
        await source.QueryAsync(batch, CancellationToken.None);

        batch.Reset(DateTimeOffset.UtcNow);
        await source.QueryAsync(batch, CancellationToken.None);

        // The rendered query and target lookup are built once per batch and reused.
        Assert.Equal(2, _queries.Count);
        Assert.Equal(_queries.First(), _queries.Last());
        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
    }

    [Fact]
    public async Task QueryAsync_GroupByRepeatedAndSharedLabelValues_ErrorsRepeatsAndAnswersEverySharingTarget()
    {
        const string body = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a"},"value":[1,"1"]},{"metric":{"deployment":"web"},"value":[1,"7"]},{"metric":{"deployment":"a"},"value":[1,"2"]},{"metric":{"deployment":"b"},"value":[1,"3"]},{"metric":{"deployment":"a"},"value":[1,"4"]}]}}""";
        await using var server = await LoopbackHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        var source = PrometheusFixtureFactory(server.BaseAddress);
        RollbackTarget[] targets =
        [
            .. new[] { "a", "b", "web", "web", "none" }.Select((name, i) => new RollbackTarget("t" + i, new Dictionary<string, string> { ["name"] = name })),
        ];
        var first = new MetricQueryBatch(new MetricQueryDefinition { Name = "q1", Expression = "x", GroupBy = "deployment" }, targets);
        var second = new MetricQueryBatch(new MetricQueryDefinition { Name = "q2", Expression = "y", GroupBy = "deployment" }, targets);

        for (var round = 0; round < 2; round++)
        {
            foreach (var batch in new[] { first, second })
            {
                batch.Reset(DateTimeOffset.UtcNow);
                await source.QueryAsync(batch, CancellationToken.None);

                // Three series answered "a": an error naming the count (not accumulated across ticks or queries).
                Assert.Equal(
                    [MetricSampleStatus.Error, MetricSampleStatus.Value, MetricSampleStatus.Value, MetricSampleStatus.Value, MetricSampleStatus.NoData],
                    batch.Statuses.ToArray());
                Assert.Contains("returned 3 series with deployment=\"a\"", batch.Error, StringComparison.Ordinal);
                Assert.Equal([3, 7, 7], batch.Values[1..4].ToArray());
            }
        }
    }

    private PrometheusMetricSource PrometheusFixtureFactory(Uri baseAddress, Action<PrometheusOptions>? configure = null) =>
        PrometheusFixture.CreateSource(baseAddress, _instrumentation, configure);
}
