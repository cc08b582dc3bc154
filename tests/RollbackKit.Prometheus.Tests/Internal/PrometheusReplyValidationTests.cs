using System.Text;
using Microsoft.AspNetCore.Http;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>
/// Replies a real Prometheus never sends, served by a loopback stub: each is a source error naming the query, never
/// "no data" (which a <c>NoData: Fail</c> trigger would count as a failure).
/// </summary>
public sealed class PrometheusReplyValidationTests
{
    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);

    public static TheoryData<string, string, string> UnusableReplies => new()
    {
        { "no data", """{"status":"success"}""", "no \"data\"" },
        { "null data", """{"status":"success","data":null}""", "no \"data\"" },
        { "data without result", """{"status":"success","data":{"resultType":"vector"}}""", "no \"result\"" },
        { "unknown result type", """{"status":"success","data":{"resultType":"histogramvector","result":[]}}""", "unknown resultType 'histogramvector'" },
        { "trailing bytes", """{"status":"success","data":{"resultType":"vector","result":[]}} {"x":1}""", "after the JSON value" },
        { "trailing garbage", """{"status":"success","data":{"resultType":"vector","result":[]}}garbage""", "after the JSON value" },
        {
            "native histogram",
            """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a"},"histogram":[1,{"count":"3","sum":"1.5","buckets":[[0,"0","1","3"]]}]}]}}""",
            "histogram_quantile"
        },
        {
            "native histograms in a matrix",
            """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"deployment":"a"},"histograms":[[1,{"count":"3","sum":"1.5"}]]}]}}""",
            "histogram_count"
        },
    };

    [Theory]
    [MemberData(nameof(UnusableReplies))]
    public async Task QueryAsync_UnusableReplyPerTarget_IsErrorNamingTheQuery(string name, string body, string expected)
    {
        await using var server = await LoopbackHttpServer.StartAsync(context => Reply(context, body));
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "canary_error_rate", Expression = "x{deployment=\"{{name}}\"}" }, Targets(2));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.True(batch.Statuses.ToArray().All(s => s == MetricSampleStatus.Error), name);
        Assert.Contains("query 'canary_error_rate'", batch.Error, StringComparison.Ordinal);
        Assert.Contains(expected, batch.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnusableReplies))]
    public async Task QueryAsync_UnusableReplyGrouped_IsErrorForEveryTarget(string name, string body, string expected)
    {
        await using var server = await LoopbackHttpServer.StartAsync(context => Reply(context, body));
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var query = new MetricQueryDefinition { Name = "canary_error_rate", Expression = "sum by (deployment) (x)", GroupBy = "deployment" };
        var batch = new MetricQueryBatch(query, Targets(2));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.True(batch.Statuses.ToArray().All(s => s == MetricSampleStatus.Error), name);
        Assert.Contains("query 'canary_error_rate'", batch.Error, StringComparison.Ordinal);
        Assert.Contains(expected, batch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_TrailingWhitespace_IsAccepted()
    {
        const string Body = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"0.5\"]}}\n \r\n";
        await using var server = await LoopbackHttpServer.StartAsync(context => Reply(context, Body));
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "q", Expression = "x" }, Targets(1));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
        Assert.Equal(0.5, batch.Values[0]);
    }

    [Fact]
    public async Task QueryAsync_Warnings_AreCarriedWithTheBatchNamingTheQuery()
    {
        const string Body = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a"},"value":[1,"2"]}]},"warnings":["PromQL info: metric might not be a counter"]}""";
        await using var server = await LoopbackHttpServer.StartAsync(context => Reply(context, Body));
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var query = new MetricQueryDefinition { Name = "canary_error_rate", Expression = "sum by (deployment) (x)", GroupBy = "deployment" };
        var batch = new MetricQueryBatch(query, Targets(1));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
        var warning = Assert.Single(batch.Warnings!);
        Assert.Equal("query 'canary_error_rate': PromQL info: metric might not be a counter", warning);

        // A tick without warnings starts clean.
        batch.Reset(DateTimeOffset.UtcNow);
        Assert.Null(batch.Warnings);
    }

    private static RollbackTarget[] Targets(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new RollbackTarget("t" + i, new Dictionary<string, string> { ["name"] = ((char)('a' + i)).ToString(), ["deployment"] = ((char)('a' + i)).ToString() }))];

    private static Task Reply(HttpContext context, string body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body, Encoding.UTF8);
    }
}
