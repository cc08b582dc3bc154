using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;

namespace RollbackKit.Prometheus.Tests.Integration;

/// <summary>A grouped query with <c>{{targets}}</c> against the real Prometheus: only the batch's targets' series come back.</summary>
[Collection(PrometheusServerGroup.Name)]
public sealed class PrometheusTargetsPlaceholderTests(PrometheusFixture prometheus)
{
    private const string Template = "sum by (deployment) (owned_probe{namespace=\"probe\",deployment=~\"{{targets}}\"})";

    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);

    private static RollbackTarget Target(string deployment) =>
        new("probe/" + Array.IndexOf(ScenarioData.OwnedProbeDeployments, deployment).ToString(CultureInfo.InvariantCulture), new Dictionary<string, string> { ["name"] = deployment });

    private static double ValueOf(string deployment) => Array.IndexOf(ScenarioData.OwnedProbeDeployments, deployment);

    /// <summary>The deployments of the series Prometheus returns for <paramref name="query"/> (asked directly, by POST).</summary>
    private async Task<string[]> SeriesOfAsync(string query)
    {
        using var http = new HttpClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = query,
            ["time"] = prometheus.At(10, 20).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        });
        using var response = await http.PostAsync(new Uri(prometheus.BaseAddress, "api/v1/query"), form);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(s => s.GetProperty("metric").GetProperty("deployment").GetString()!)];
    }

    private async Task AssertOnlyTargetsAnsweredAsync(string[] chosen)
    {
        RollbackTarget[] targets = [.. chosen.Select(Target)];
        var rendered = PromQLTemplate.Render(Template, name => PromQLTargets.ResolveShared(targets, name, "5m", TargetLabels.Name));

        // Prometheus returns exactly the batch's series, none of the look-alikes.
        Assert.Equal(chosen.Order(StringComparer.Ordinal), (await SeriesOfAsync(rendered)).Order(StringComparer.Ordinal));

        // The source sends that query and each value lands on its target.
        var source = prometheus.CreateSource(_instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "probe", Expression = Template, GroupBy = "deployment" }, targets);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Null(batch.Error);
        Assert.All(batch.Statuses.ToArray(), s => Assert.Equal(MetricSampleStatus.Value, s));
        Assert.Equal(chosen.Select(ValueOf), batch.Values.ToArray());
    }

    [Fact]
    public async Task QueryAsync_TargetsOverTwoOfFour_ReturnsOnlyTheirSeriesOnTheRightTargets()
    {
        // Without the matcher the same query returns all four.
        Assert.Equal(4, (await SeriesOfAsync("sum by (deployment) (owned_probe{namespace=\"probe\",deployment=~\"svc-.*\"})")).Length);

        await AssertOnlyTargetsAnsweredAsync(["svc-d", "svc-b"]);
    }

    [Fact]
    public async Task QueryAsync_TargetsWithRegexMetacharacters_EachMatchesOnlyItself()
    {
        await AssertOnlyTargetsAnsweredAsync(["a.b", "a+b", "a\\b", "a\"b", "a|b"]);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a|b")]
    [InlineData("a+b")]
    public async Task QueryAsync_SingleTargetWithMetacharacter_MatchesOnlyItself(string deployment)
    {
        await AssertOnlyTargetsAnsweredAsync([deployment]);
    }

    [Fact]
    public async Task QueryAsync_FiveThousandTargets_LongQueryIsSentInTheBodyAndAnswered()
    {
        // 4,998 targets without a series plus two with one: a query of about 100 KB, far beyond a URL's usual limits.
        RollbackTarget[] targets =
        [
            .. Enumerable.Range(0, 4_998).Select(i => new RollbackTarget("probe/x" + i, new Dictionary<string, string> { ["name"] = "absent-deployment-" + i.ToString("D5", CultureInfo.InvariantCulture) })),
            Target("svc-b"),
            Target("svc-d"),
        ];
        Assert.True(PromQLTargets.TargetsRegex(targets, TargetLabels.Name).Length > 100_000);
        var source = prometheus.CreateSource(_instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "probe", Expression = Template, GroupBy = "deployment" }, targets);
        batch.Reset(prometheus.At(10, 20));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Null(batch.Error);
        Assert.Equal(4_998, batch.Statuses.ToArray().Count(s => s == MetricSampleStatus.NoData));
        Assert.Equal([ValueOf("svc-b"), ValueOf("svc-d")], batch.Values[^2..].ToArray());
        Assert.Equal([MetricSampleStatus.Value, MetricSampleStatus.Value], batch.Statuses[^2..].ToArray());
    }

    [Fact]
    public async Task QueryRangeAsync_GroupedHistoryWithTargets_AnswersEachTargetAtEveryStep()
    {
        var options = new PrometheusOptions { BaseAddress = prometheus.BaseAddress };
        using var http = new HttpClient(PrometheusHttpHandler.Create(options)) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new PrometheusClient(() => http, options, TimeProvider.System, NullLogger.Instance);
        var source = new PrometheusHistorySource(client, Options.Create(options), NullLogger<PrometheusHistorySource>.Instance);
        var query = new MetricQueryDefinition { Name = "probe", Expression = Template, GroupBy = "deployment" };
        var history = new MetricHistory(query, [Target("a|b"), Target("svc-c")], prometheus.At(10, 0), TimeSpan.FromMinutes(1), 6);

        await source.QueryRangeAsync(history, CancellationToken.None);

        Assert.Empty(history.Errors);
        Assert.Equal(Enumerable.Repeat(ValueOf("a|b"), 6), history.GetValues(0).ToArray());
        Assert.Equal(Enumerable.Repeat(ValueOf("svc-c"), 6), history.GetValues(1).ToArray());
    }
}
