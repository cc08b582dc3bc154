using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Sharding;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Tests.Sharding;

/// <summary>What a replica owning some shards asks Prometheus (a loopback stub) and reads from its replies.</summary>
public sealed class ShardedPrometheusQueryTests
{
    private const int TargetCount = 40;
    private const int ShardCount = 4;
    private static readonly string[] Names = [.. Enumerable.Range(0, TargetCount).Select(i => $"svc-{i:D2}")];

    private readonly ConcurrentQueue<string> _queries = new();

    /// <summary>Owns the shards it was given.</summary>
    private sealed class FixedOwnership(params int[] owned) : IShardOwnership
    {
        public event EventHandler? OwnershipChanged
        {
            add { }
            remove { }
        }

        public int ShardCount => ShardedPrometheusQueryTests.ShardCount;

        public bool Owns(int shard) => owned.Contains(shard);

        public IReadOnlyList<int> GetOwnedShards() => owned;
    }

    /// <summary>Owns the shards it is given, and says so when they change.</summary>
    private sealed class MovingOwnership(params int[] owned) : IShardOwnership
    {
        private int[] _owned = owned;

        public event EventHandler? OwnershipChanged;

        public int ShardCount => ShardedPrometheusQueryTests.ShardCount;

        public bool Owns(int shard) => _owned.Contains(shard);

        public IReadOnlyList<int> GetOwnedShards() => _owned;

        public void MoveTo(params int[] owned)
        {
            _owned = owned;
            OwnershipChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private static string[] OwnedNames(params int[] shards) =>
        [.. Names.Where(n => shards.Contains(TargetShards.ShardOf("shop/" + n, ShardCount)))];

    /// <summary>
    /// Per-target queries (<c>latency{deployment="svc-07"}</c>) get that target's value (its number); the grouped query
    /// gets a vector with a series for every target, value = 100 + its number.
    /// </summary>
    private async Task HandleAsync(HttpContext context)
    {
        var query = (await context.Request.ReadFormAsync())["query"].ToString();
        _queries.Enqueue(query);
        string body;
        if (query.StartsWith("sum by", StringComparison.Ordinal))
        {
            // A '{{targets}}' matcher (deployment=~"svc-01|svc-02") narrows the reply as Prometheus would.
            const string Matcher = "deployment=~\"";
            var at = query.IndexOf(Matcher, StringComparison.Ordinal);
            var asked = at < 0 ? Names : query[(at + Matcher.Length)..query.IndexOf('"', at + Matcher.Length)].Split('|');
            var series = Names.Select((n, i) => (n, i)).Where(s => asked.Contains(s.n)).Select(s => "{\"metric\":{\"deployment\":\"" + s.n + "\"},\"value\":[1,\"" + (100 + s.i).ToString(CultureInfo.InvariantCulture) + "\"]}");
            body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + string.Join(",", series) + "]}}";
        }
        else
        {
            var name = query["latency{deployment=\"".Length..^2];
            var value = int.Parse(name[4..], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
            body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"" + value + "\"]}]}}";
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, Encoding.UTF8);
    }

    [Fact]
    public async Task Tick_OwnsTwoOfFourShards_PerTargetQueriesOnlyForOwnedTargetsAndOnlyOwnedSeriesRead()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddSingleton<IShardOwnership>(new FixedOwnership(1, 3));
        services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                foreach (var name in Names)
                {
                    o.Targets.Add(new TargetDefinition { Id = "shop/" + name, Labels = { ["namespace"] = "shop", ["name"] = name } });
                }

                o.Queries.Add(new() { Name = "latency", Expression = "latency{deployment=\"{{name}}\"}" });
                o.Queries.Add(new() { Name = "errors", Expression = "sum by (deployment) (errors{namespace=\"{{namespace}}\"})", GroupBy = "deployment" });
                o.Triggers.Add(new TriggerDefinition { Name = "slow-and-failing", Condition = "latency > 1000 and errors > 1000", Severity = RollbackSeverity.Critical });
                o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
            })
            .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
            .AddPrometheus(o => o.BaseAddress = server.BaseAddress)
            .AddSharding(o => o.Shards = ShardCount);
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<RollbackMonitor>();

        var result = await monitor.TickAsync();

        var owned = Names.Where(n => TargetShards.ShardOf("shop/" + n, ShardCount) is 1 or 3).ToArray();
        Assert.InRange(owned.Length, 1, TargetCount - 1);
        Assert.Equal(owned.Length, result.OwnedTargets);
        Assert.Equal(0, result.QueryErrors);

        // One request per owned target for the per-target query, one request for the grouped query.
        var perTarget = _queries.Where(q => q.StartsWith("latency", StringComparison.Ordinal)).Select(q => q["latency{deployment=\"".Length..^2]);
        Assert.Equal(owned, perTarget.Order(StringComparer.Ordinal));
        Assert.Equal("sum by (deployment) (errors{namespace=\"shop\"})", Assert.Single(_queries, q => q.StartsWith("sum by", StringComparison.Ordinal)));

        // The grouped reply carried every target's series; each owned target read its own, the others were not read.
        var explanation = monitor.ExplainLastTick()!;
        Assert.Equal(owned.Select(n => "shop/" + n), explanation.Triggers.Select(t => t.Target).Order(StringComparer.Ordinal));
        foreach (var trigger in explanation.Triggers)
        {
            var number = int.Parse(trigger.Target["shop/svc-".Length..], CultureInfo.InvariantCulture);
            Assert.Equal([number, 100 + number], trigger.Values.Select(v => v.Value));
        }
    }

    [Fact]
    public async Task Tick_GroupedQueryWithTargets_NamesOnlyOwnedTargetsAndFollowsOwnership()
    {
        await using var server = await LoopbackHttpServer.StartAsync(HandleAsync);
        var ownership = new MovingOwnership(1, 3);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddSingleton<IShardOwnership>(ownership);
        services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                foreach (var name in Names)
                {
                    o.Targets.Add(new TargetDefinition { Id = "shop/" + name, Labels = { ["namespace"] = "shop", ["name"] = name } });
                }

                o.Queries.Add(new() { Name = "errors", Expression = "sum by (deployment) (errors{namespace=\"{{namespace}}\",deployment=~\"{{targets}}\"})", GroupBy = "deployment" });
                o.Triggers.Add(new TriggerDefinition { Name = "failing", Condition = "errors > 1000", Severity = RollbackSeverity.Critical });
                o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
            })
            .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
            .AddPrometheus(o => o.BaseAddress = server.BaseAddress)
            .AddSharding(o => o.Shards = ShardCount);
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<RollbackMonitor>();

        foreach (var shards in new[] { new[] { 1, 3 }, [0, 2] })
        {
            if (shards[0] != 1)
            {
                ownership.MoveTo(shards);
            }

            _queries.Clear();
            var owned = OwnedNames(shards);
            Assert.InRange(owned.Length, 1, TargetCount - 1);

            var result = await monitor.TickAsync();

            // One request naming exactly the owned targets' values, in target order.
            Assert.Equal(0, result.QueryErrors);
            Assert.Equal(
                "sum by (deployment) (errors{namespace=\"shop\",deployment=~\"" + string.Join('|', owned) + "\"})",
                Assert.Single(_queries));
            var explanation = monitor.ExplainLastTick()!;
            Assert.Equal(owned.Select(n => "shop/" + n), explanation.Triggers.Select(t => t.Target).Order(StringComparer.Ordinal));
            foreach (var trigger in explanation.Triggers)
            {
                var number = int.Parse(trigger.Target["shop/svc-".Length..], CultureInfo.InvariantCulture);
                Assert.Equal([100 + number], trigger.Values.Select(v => v.Value));
            }
        }
    }
}
