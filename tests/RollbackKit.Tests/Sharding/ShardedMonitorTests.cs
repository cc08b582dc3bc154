using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Sharding;
using RollbackKit.Telemetry;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Sharding;

public class ShardedMonitorTests
{
    private const int TargetCount = 100;

    /// <summary>An ownership the test sets by hand.</summary>
    private sealed class ManualOwnership(int shards) : IShardOwnership
    {
        private int[] _owned = [];

        public event EventHandler? OwnershipChanged;

        public int ShardCount => shards;

        public bool Owns(int shard) => Array.IndexOf(_owned, shard) >= 0;

        public IReadOnlyList<int> GetOwnedShards() => _owned;

        public void Set(params int[] owned)
        {
            _owned = owned;
            OwnershipChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private static void Configure(RollbackKitOptions o)
    {
        o.MonitorEnabled = false;
        for (var i = 0; i < TargetCount; i++)
        {
            o.Targets.Add(new TargetDefinition { Id = $"shop/svc-{i}", Labels = { ["namespace"] = "shop", ["name"] = $"svc-{i}" } });
        }

        o.Queries.Add(new() { Name = "error_rate", Expression = "errors{name=\"{{name}}\"}" });
        o.Triggers.Add(new TriggerDefinition { Name = "errors", Condition = "error_rate > 1", For = TimeSpan.Zero, Severity = RollbackSeverity.Critical });
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
        o.Workflow.JournalPath = Path.Combine(Path.GetTempPath(), "rollbackkit-sharding-" + Guid.NewGuid().ToString("N"), "journal.jsonl");
    }

    private static (ServiceProvider Provider, RecordingRollbackDispatcher Dispatcher) Build(IShardOwnership? ownership, Action<ShardingOptions> sharding, ConcurrentQueue<string>? asked = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IMetricSource>(new FakeMetricSource(time).Use("error_rate", (target, _) =>
        {
            asked?.Enqueue(target.Id);
            return 5;
        }));
        services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        if (ownership is not null)
        {
            services.AddSingleton(ownership);
        }

        services.AddRollbackKit(Configure).AddSharding(sharding);
        var dispatcher = new RecordingRollbackDispatcher();
        services.RemoveAll<IRollbackDispatcher>();
        services.AddSingleton<IRollbackDispatcher>(dispatcher);
        return (services.BuildServiceProvider(), dispatcher);
    }

    private static string[] TargetsOf(int shards, params int[] owned) =>
        [.. Enumerable.Range(0, TargetCount).Select(i => $"shop/svc-{i}").Where(id => owned.Contains(TargetShards.ShardOf(id, shards))).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Tick_OwnsTwoOfFourShards_DispatchesOnlyTheirTargets()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1);
        var (provider, dispatcher) = Build(ownership, o => o.Shards = 4);
        await using var _ = provider;
        var monitor = provider.GetRequiredService<IRollbackMonitor>();

        var result = await monitor.TickAsync();

        var expected = TargetsOf(4, 0, 1);
        Assert.InRange(expected.Length, 1, TargetCount - 1);
        Assert.Equal(expected, dispatcher.Requests.Select(r => r.Target.Id).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, result.OwnedTargets);
        Assert.Equal(expected.Length, result.Dispatched);
    }

    [Fact]
    public async Task Tick_OwnershipMovesToAnotherShard_GainedTargetsFireAfreshAndLostOnesStop()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1);
        var (provider, dispatcher) = Build(ownership, o => o.Shards = 4);
        await using var _ = provider;
        var monitor = provider.GetRequiredService<IRollbackMonitor>();
        await monitor.TickAsync();
        var first = dispatcher.Requests.Count;

        ownership.Set(2);
        var result = await monitor.TickAsync();

        var gained = TargetsOf(4, 2);
        Assert.Equal(gained, dispatcher.Requests.Skip(first).Select(r => r.Target.Id).Order(StringComparer.Ordinal));
        Assert.Equal(gained.Length, result.OwnedTargets);
    }

    [Fact]
    public async Task Tick_NoOwnershipRegisteredBeyondAddSharding_OwnsEveryTarget()
    {
        var (provider, dispatcher) = Build(ownership: null, o => o.Shards = 8);
        await using var _ = provider;
        var monitor = provider.GetRequiredService<IRollbackMonitor>();

        var result = await monitor.TickAsync();

        Assert.Equal(TargetCount, result.OwnedTargets);
        Assert.Equal(TargetCount, dispatcher.Requests.Select(r => r.Target.Id).Distinct().Count());
        Assert.Equal(8, provider.GetRequiredService<IShardOwnership>().GetOwnedShards().Count);
    }

    [Fact]
    public async Task AddSharding_ZeroShards_FailsNamingTheKeyAndValue()
    {
        var (provider, _) = Build(ownership: null, o => o.Shards = 0);
        await using var __ = provider;

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ShardingOptions>>().Value);

        Assert.Contains("RollbackKit:Sharding:Shards", error.Message, StringComparison.Ordinal);
        Assert.Contains("got 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSharding_FromConfiguration_BindsRollbackKitShardingShards()
    {
        var json = """{ "RollbackKit": { "Sharding": { "Shards": 7 } } }""";
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build());
        services.AddRollbackKit().AddSharding();
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(7, provider.GetRequiredService<IOptions<ShardingOptions>>().Value.Shards);
        Assert.Equal(7, provider.GetRequiredService<IShardOwnership>().ShardCount);
    }

    [Fact]
    public async Task Tick_SteadyOwnership_OwnedTargetListIsNotRebuilt()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1, 2, 3);
        var (provider, _) = Build(ownership, o => o.Shards = 4);
        await using var __ = provider;
        var monitor = provider.GetRequiredService<RollbackMonitor>();
        await monitor.TickAsync();
        var list = OwnedList(monitor);

        await monitor.TickAsync();
        await monitor.TickAsync();

        Assert.Same(list, OwnedList(monitor));
        ownership.Set(1);
        await monitor.TickAsync();
        Assert.NotSame(list, OwnedList(monitor));
    }

    [Fact]
    public async Task Tick_OwnsTwoOfFourShards_SourceIsAskedOnlyForOwnedTargets()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1);
        var asked = new ConcurrentQueue<string>();
        var (provider, _) = Build(ownership, o => o.Shards = 4, asked);
        await using var __ = provider;
        var monitor = provider.GetRequiredService<IRollbackMonitor>();

        await monitor.TickAsync();

        var expected = TargetsOf(4, 0, 1);
        Assert.InRange(expected.Length, 1, TargetCount - 1);
        Assert.Equal(expected, asked.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tick_OwnsTwoOfFourShards_UnownedTargetsHaveNoVerdictExplanationOrMetric()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1);
        var (provider, _) = Build(ownership, o => o.Shards = 4);
        await using var __ = provider;
        using var verdicts = new MetricCollector<long>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), RollbackKitTelemetry.MeterName, "rollbackkit.verdicts");
        var monitor = provider.GetRequiredService<RollbackMonitor>();

        var result = await monitor.TickAsync();

        var expected = TargetsOf(4, 0, 1);
        var unowned = TargetsOf(4, 2, 3);
        Assert.Equal(expected.Length, result.Verdicts);
        var explanation = monitor.ExplainLastTick();
        Assert.NotNull(explanation);
        Assert.Equal(expected, explanation.Triggers.Select(t => t.Target).Order(StringComparer.Ordinal));
        Assert.All(explanation.Triggers, t => Assert.True(t.Fired));
        Assert.Empty(monitor.ExplainLastTick(unowned[0])!.Triggers);
        Assert.Single(monitor.ExplainLastTick(expected[0])!.Triggers);
        Assert.Equal(expected.Length, verdicts.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(expected.Length, verdicts.GetMeasurementSnapshot().Where(m => (string)m.Tags[RollbackKitTags.Outcome]! == "fail").Sum(m => m.Value));
    }

    [Fact]
    public async Task Tick_OwnershipChanges_NextTickQueriesAndExplainsTheNewTargetsOnly()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1);
        var asked = new ConcurrentQueue<string>();
        var (provider, _) = Build(ownership, o => o.Shards = 4, asked);
        await using var __ = provider;
        var monitor = provider.GetRequiredService<RollbackMonitor>();
        await monitor.TickAsync();

        ownership.Set(1, 2);
        asked.Clear();
        var result = await monitor.TickAsync();

        var expected = TargetsOf(4, 1, 2);
        Assert.Equal(expected, asked.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, result.OwnedTargets);
        Assert.Equal(expected, monitor.ExplainLastTick()!.Triggers.Select(t => t.Target).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tick_TargetsLostAndRegained_FireAgainWithFreshState()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set(0, 1);
        var (provider, dispatcher) = Build(ownership, o => o.Shards = 4);
        await using var __ = provider;
        var monitor = provider.GetRequiredService<IRollbackMonitor>();
        await monitor.TickAsync();
        await monitor.TickAsync();
        var afterTwoTicks = dispatcher.Requests.Count;
        ownership.Set(2, 3);
        await monitor.TickAsync();
        var beforeRegain = dispatcher.Requests.Count;

        ownership.Set(0, 1);
        await monitor.TickAsync();

        // Latched while failing: the second tick sent nothing more; regained, the targets start afresh and fire again.
        var expected = TargetsOf(4, 0, 1);
        Assert.Equal(expected.Length, afterTwoTicks);
        Assert.Equal(expected, dispatcher.Requests.Skip(beforeRegain).Select(r => r.Target.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tick_OwnsNoShard_AsksTheSourceNothingAndReportsNoVerdictOrError()
    {
        var ownership = new ManualOwnership(4);
        ownership.Set();
        var asked = new ConcurrentQueue<string>();
        var (provider, dispatcher) = Build(ownership, o => o.Shards = 4, asked);
        await using var __ = provider;
        var monitor = provider.GetRequiredService<RollbackMonitor>();

        var result = await monitor.TickAsync();

        Assert.Equal((0, 0, 0), (result.OwnedTargets, result.Verdicts, result.QueryErrors));
        Assert.Empty(asked);
        Assert.Equal(0, provider.GetServices<IMetricSource>().OfType<FakeMetricSource>().Single().QueryCount);
        Assert.Empty(monitor.ExplainLastTick()!.Triggers);
        Assert.Empty(dispatcher.Requests);
    }

    private static object? OwnedList(RollbackMonitor monitor) =>
        typeof(RollbackMonitor).GetField("_ownedTargets", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(monitor);
}
