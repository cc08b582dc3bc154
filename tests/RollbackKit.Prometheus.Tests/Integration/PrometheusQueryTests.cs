using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;

namespace RollbackKit.Prometheus.Tests.Integration;

/// <summary>Query behaviour against the real Prometheus: escaping, special values, errors, registration.</summary>
[Collection(PrometheusServerGroup.Name)]
public sealed class PrometheusQueryTests(PrometheusFixture prometheus)
{
    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);


    private static RollbackTarget Target(string name) =>
        new("shop/" + name.GetHashCode(StringComparison.Ordinal), new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = name });

    [Theory]
    [InlineData("x\"} or vector(1) #")]
    [InlineData("x\"}) or vector(1) or sum(x{a=\"")]
    [InlineData("checkout\\\"} or vector(1) #")]
    [InlineData("x\n} or vector(1)")]
    [InlineData("x'} or vector(1) #")]
    public async Task QueryAsync_HostileLabelValue_ReturnsNoDataNotInjectedValue(string hostileName)
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition
        {
            Name = "errors",
            Expression = "http_requests_errors_total{namespace=\"{{namespace}}\",deployment=\"{{name}}\"}",
        };
        var batch = new MetricQueryBatch(query, [Target(hostileName), Target("checkout")]);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.NoData, batch.Statuses[0]);
        Assert.Null(batch.Error);
        // The same template with a real name answers, so the query itself is sound.
        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[1]);
    }

    [Fact]
    public async Task QueryAsync_HostileValueWithoutEscaping_WouldHaveInjected()
    {
        // Control for the test above: the naive substitution really does change the query's result.
        var options = new PrometheusOptions { BaseAddress = prometheus.BaseAddress };
        using var http = new HttpClient();
        var client = new PrometheusClient(() => http, options, TimeProvider.System, NullLogger.Instance);
        var sink = new CollectingSink();
        var naive = "http_requests_errors_total{namespace=\"shop\",deployment=\"" + "x\"} or vector(1) #" + "\"}";

        var result = await client.QueryAsync(naive, prometheus.At(10, 20), TimeSpan.FromSeconds(5), default, sink, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal([1.0], sink.Values);
    }

    [Fact]
    public async Task QueryAsync_PlaceholderOutsideQuotesWithUnsafeValue_IsErrorNotInjected()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition { Name = "raw", Expression = "sum(rate(http_requests_total[{{window}}]))" };
        var target = new RollbackTarget("t", new Dictionary<string, string> { ["window"] = "1m])) or vector(1) #" });
        var batch = new MetricQueryBatch(query, [target]);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Error, batch.Statuses[0]);
        Assert.Contains("{{window}}", batch.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0/0", double.NaN)]
    [InlineData("1/0", double.PositiveInfinity)]
    [InlineData("-1/0", double.NegativeInfinity)]
    [InlineData("vector(0.00001)", 1e-05)]
    [InlineData("vector(1.5e+300)", 1.5e300)]
    [InlineData("scalar(vector(42))", 42)]
    public async Task QueryAsync_SpecialValuesAndScalars_ParseExactly(string expression, double expected)
    {
        var source = prometheus.CreateSource(_instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "v", Expression = expression }, [Target("checkout")]);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
        Assert.Equal(expected, batch.Values[0]);
    }

    [Fact]
    public async Task QueryAsync_InvalidPromQL_IsConfigurationErrorNamingTheQuery()
    {
        var source = prometheus.CreateSource(_instrumentation, o => o.MaxRetries = 2);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "broken_query", Expression = "sum(rate(" }, [Target("checkout")]);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Error, batch.Statuses[0]);
        Assert.Contains("broken_query", batch.Error, StringComparison.Ordinal);
        Assert.Contains("bad_data", batch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_PerTargetQueryWithTwoSeries_IsErrorNamingTheQuery()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition { Name = "restarts", Expression = "pod_restarts{deployment=\"{{name}}\"}" };
        var batch = new MetricQueryBatch(query, [Target("checkout")]);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Error, batch.Statuses[0]);
        Assert.Contains("'restarts'", batch.Error, StringComparison.Ordinal);
        Assert.Contains("2 series", batch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_RangeVectorExpression_IsError()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var query = new MetricQueryDefinition { Name = "range", Expression = "http_requests_total{deployment=\"{{name}}\"}[1m]" };
        var batch = new MetricQueryBatch(query, [Target("stable")]);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Error, batch.Statuses[0]);
        Assert.Contains("matrix", batch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryRangeAsync_TenMinutesEveryMinute_ReturnsElevenSamplesPerSeries()
    {
        var options = new PrometheusOptions { BaseAddress = prometheus.BaseAddress };
        using var http = new HttpClient();
        var client = new PrometheusClient(() => http, options, TimeProvider.System, NullLogger.Instance);
        var sink = new CollectingSink();

        var result = await client.QueryRangeAsync(
            "sum by (deployment) (rate(http_requests_errors_total{namespace=\"shop\"}[1m])) * 60",
            prometheus.At(10, 0), prometheus.At(10, 10), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), "deployment"u8.ToArray(), sink, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(PrometheusResultType.Matrix, result.ResultType);
        Assert.Equal(3, result.SeriesCount);
        Assert.Equal(33, sink.Values.Count);
        Assert.Equal(11, sink.Labels.Count(l => l == "healthy"));
    }

    [Fact]
    public async Task AddPrometheus_ResolvedFromServiceProvider_AnswersQueries()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRollbackKit().AddPrometheus(o => o.BaseAddress = prometheus.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        var source = Assert.Single(provider.GetServices<IMetricSource>());
        Assert.Equal("prometheus", source.Name);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "one", Expression = "vector(1)" }, [Target("checkout")]);
        batch.Reset(prometheus.At(10, 20));
        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.Value, batch.Statuses[0]);
        Assert.Equal(1, batch.Values[0]);
    }

    [Fact]
    public async Task QueryAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var source = prometheus.CreateSource(_instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "one", Expression = "vector(1)" }, [Target("checkout")]);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.QueryAsync(batch, cts.Token).AsTask());
    }
}

/// <summary>Collects samples (materialising labels; for tests only).</summary>
internal sealed class CollectingSink : IPrometheusSampleSink
{
    public List<double> Values { get; } = [];

    public List<string?> Labels { get; } = [];

    public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value)
    {
        Values.Add(value);
        Labels.Add(hasLabel ? System.Text.Encoding.UTF8.GetString(label) : null);
    }
}
