using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>The reserved <c>{{targets}}</c> placeholder: rendering, escaping, deduplication and refusal outside grouped queries.</summary>
public sealed class TargetsPlaceholderTests
{
    private const string Template = "sum by (deployment) (x{deployment=~\"{{targets}}\"})";

    private readonly PrometheusInstrumentation _instrumentation = new(TestMeters.Factory);
    private readonly ConcurrentQueue<string> _queries = new();

    private static RollbackTarget Target(string id, string? name) =>
        new(id, name is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["name"] = name });

    private static RollbackTarget[] Targets(params string[] names) => [.. names.Select((n, i) => Target("t" + i, n))];

    private static string RenderGrouped(string template, IReadOnlyList<RollbackTarget> targets) =>
        PromQLTemplate.Render(template, name => PromQLTargets.ResolveShared(targets, name, "5m", TargetLabels.Name));

    /// <summary>What Prometheus does with a <c>=~</c> matcher: the PromQL string is unescaped, then the regex is anchored.</summary>
    private static Regex PrometheusMatcher(string rendered)
    {
        var literal = Regex.Match(rendered, "=~\"((?:[^\"\\\\]|\\\\.)*)\"").Groups[1].Value;
        var regex = Regex.Unescape(literal.Replace("\\\\", "\u0001", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal)).Replace("\u0001", "\\", StringComparison.Ordinal);
        return new Regex("^(?:" + regex + ")$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    private async Task HandleAsync(HttpContext context)
    {
        _queries.Enqueue((await context.Request.ReadFormAsync())["query"].ToString());
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"b"},"value":[1,"2"]}]}}""");
    }

    [Fact]
    public void TargetsRegex_RepeatedAndMissingValues_DedupedInFirstSeenOrder()
    {
        RollbackTarget[] targets = [Target("1", "web"), Target("2", "api"), Target("3", null), Target("4", "web"), Target("5", "db")];

        Assert.Equal("web|api|db", PromQLTargets.TargetsRegex(targets, TargetLabels.Name));
    }

    [Fact]
    public void TargetsRegex_EmptyValue_IsLeftOutSoSeriesWithoutTheLabelDoNotMatch()
    {
        RollbackTarget[] targets = [Target("1", "web"), Target("2", string.Empty), Target("3", "db")];

        var rendered = RenderGrouped(Template, targets);

        Assert.Equal("web|db", PromQLTargets.TargetsRegex(targets, TargetLabels.Name));
        Assert.DoesNotMatch(PrometheusMatcher(rendered), string.Empty);
    }

    [Theory]
    [InlineData("a.b", "a\\.b")]
    [InlineData("a+b*c?", "a\\+b\\*c\\?")]
    [InlineData("a|b", "a\\|b")]
    [InlineData("(x)[y]{z}^$", "\\(x\\)\\[y\\]\\{z\\}\\^\\$")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a\"b", "a\"b")]
    public void TargetsRegex_Metacharacters_AreEscaped(string value, string expected) =>
        Assert.Equal(expected, PromQLTargets.TargetsRegex([Target("t", value)], TargetLabels.Name));

    [Fact]
    public void Render_GroupedTemplate_RegexIsEscapedAgainAsPromQLString()
    {
        var rendered = RenderGrouped(Template, Targets("a.b", "a\\b", "a\"b"));

        // Regex a\.b|a\\b|a"b, then PromQL string escaping of '\' and '"'.
        Assert.Equal("sum by (deployment) (x{deployment=~\"a\\\\.b|a\\\\\\\\b|a\\\"b\"})", rendered);
    }

    [Fact]
    public void Render_ValuesWithMetacharacters_MatchOnlyThemselves()
    {
        string[] chosen = ["a.b", "a+b", "a\\b", "a\"b", "a|b", "c"];
        string[] others = ["axb", "aab", "a", "b", "ab", "a\\\\b", "a\"", "c|a", "a.b|c", "cc", ""];

        var matcher = PrometheusMatcher(RenderGrouped(Template, Targets(chosen)));

        Assert.All(chosen, v => Assert.Matches(matcher, v));
        Assert.All(others, v => Assert.DoesNotMatch(matcher, v));
    }

    [Fact]
    public void Resolve_PerTarget_RefusesTargetsNamingThePlaceholder()
    {
        var ex = Assert.Throws<FormatException>(() => PromQLTemplate.Render(Template, name => PromQLTargets.Resolve(Target("t", "a"), name, "5m")));

        Assert.Contains("{{targets}}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GroupBy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_GroupedBatch_SendsOnlyTheBatchTargetsAndANewBatchGetsItsOwnQuery()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var query = new MetricQueryDefinition { Name = "q", Expression = Template, GroupBy = "deployment" };
        var first = new MetricQueryBatch(query, Targets("a", "b"));
        var second = new MetricQueryBatch(query, Targets("b", "c", "b"));

        await source.QueryAsync(first, CancellationToken.None);
        await source.QueryAsync(second, CancellationToken.None);

        Assert.Equal(["sum by (deployment) (x{deployment=~\"a|b\"})", "sum by (deployment) (x{deployment=~\"b|c\"})"], _queries.ToArray());
        Assert.Equal([MetricSampleStatus.NoData, MetricSampleStatus.Value], first.Statuses.ToArray());
        Assert.Equal([MetricSampleStatus.Value, MetricSampleStatus.NoData, MetricSampleStatus.Value], second.Statuses.ToArray());
        Assert.Equal(2, second.Values[2]);
    }

    [Fact]
    public async Task QueryAsync_GroupedBatchWithoutTargetLabels_SendsNothingAndIsNoData()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "q", Expression = Template, GroupBy = "deployment" }, [Target("t", null)]);

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Empty(_queries);
        Assert.Equal(MetricSampleStatus.NoData, batch.Statuses[0]);
        Assert.Null(batch.Error);
    }

    [Fact]
    public async Task QueryAsync_PerTargetQueryWithTargets_IsErrorAndSendsNothing()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var source = PrometheusFixture.CreateSource(server.BaseAddress, _instrumentation);
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "q", Expression = "x{deployment=~\"{{targets}}\"}" }, Targets("a"));

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Empty(_queries);
        Assert.Equal(MetricSampleStatus.Error, batch.Statuses[0]);
        Assert.Contains("{{targets}}", batch.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("deployment", false)]
    public void AddRollbackKit_TargetsPlaceholder_RefusedAtStartOnlyWithoutGroupBy(string? groupBy, bool refused)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "shop/web", Labels = { ["name"] = "web" } });
                o.Queries.Add(new() { Name = "errors", Expression = Template, GroupBy = groupBy });
                o.Triggers.Add(new TriggerDefinition { Name = "failing", Condition = "errors > 1", Severity = RollbackSeverity.Critical });
            })
            .AddPrometheus(o => o.BaseAddress = new Uri("http://127.0.0.1:9"));
        using var provider = services.BuildServiceProvider();

        var ex = Record.Exception(() => provider.GetRequiredService<IStartupValidator>().Validate());

        if (refused)
        {
            var failure = Assert.IsType<OptionsValidationException>(ex);
            Assert.Contains("RollbackKit:Queries:0:Expression: placeholder '{{targets}}' is reserved for queries with GroupBy", failure.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(ex is null || !ex.Message.Contains("{{targets}}", StringComparison.Ordinal), ex?.Message);
        }
    }
}
