using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RollbackKit.Journal;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Sharding;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Sharding;
using RollbackKit.Testing;
using RollbackKit.Triggers;
using RollbackKit.Workflow;
using Xunit.Abstractions;

namespace RollbackKit.Kubernetes.Tests.Sharding;

/// <summary>
/// Three replicas in one process share 10,000 targets in 12 shards through one Lease per shard on the emulator; one
/// replica dies (stops renewing without releasing) and the others take its shards over. Each replica is a full host:
/// the real dispatcher and workflow, its own journal file, the per-target Lease lock (<c>AddKubernetesLeaseLock()</c>)
/// on the same emulator, a playbook step that heals the target and verification against the same metric source.
/// </summary>
public sealed class ShardLeaseTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TargetCount = 10_000;
    private const int ShardCount = 12;
    private const string Namespace = "rollbackkit";
    private const string LockNamespace = "rollbackkit-locks";
    private const int BrokenPerShard = 20;
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(0.25);

    private static readonly string[] TargetIds = [.. Enumerable.Range(0, TargetCount).Select(i => $"team-{i % 50}/svc-{i:D5}")];
    private static readonly int[] TargetShard = [.. TargetIds.Select(id => TargetShards.ShardOf(id, ShardCount))];

    private readonly TempDir _dir = new();
    private readonly Cluster _cluster = new();
    private KubernetesApiEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _emulator.RecordRequests = false;
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>What the "cluster" looks like: which targets run a bad version, and whose playbook step healed each.</summary>
    private sealed class Cluster
    {
        public ConcurrentDictionary<string, byte> Broken { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, ConcurrentQueue<string>> RolledBackBy { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Replica(string identity, ServiceProvider services) : IAsyncDisposable
    {
        public string Identity { get; } = identity;

        public ServiceProvider Services { get; } = services;

        public IRollbackMonitor Monitor => Services.GetRequiredService<IRollbackMonitor>();

        public IShardOwnership Ownership => Services.GetRequiredService<IShardOwnership>();

        public IRollbackController Controller => Services.GetRequiredService<IRollbackController>();

        public string JournalPath { get; init; } = string.Empty;

        public IHostedService Elections => Services.GetServices<IHostedService>().OfType<KubernetesShardingService>().Single();

        public bool Stopped { get; set; }

        public int[] Owned => Stopped ? [] : [.. Ownership.GetOwnedShards()];

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    private async Task<Replica> StartReplicaAsync(string identity, Action<KubernetesShardingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(TimeProvider.System);
        services.AddLogging();
        var cluster = _cluster;
        var journalPath = Path.Combine(_dir.Path, identity, "journal.jsonl");
        services.AddSingleton<IMetricSource>(new FakeMetricSource().Use("error_rate", (target, _) => cluster.Broken.ContainsKey(target.Id) ? 5 : 0));
        services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                foreach (var id in TargetIds)
                {
                    o.Targets.Add(new TargetDefinition { Id = id, Labels = { ["name"] = id } });
                }

                o.Queries.Add(new() { Name = "error_rate", Expression = "errors{name=\"{{name}}\"}" });
                o.Triggers.Add(new TriggerDefinition { Name = "errors", Condition = "error_rate > 1", For = TimeSpan.Zero, Severity = RollbackSeverity.Critical });
                o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "heal", Name = "heal", Timeout = TimeSpan.FromSeconds(30) });

                // One journal per replica; verification re-checks the healed target once, against the same source.
                o.Workflow.JournalPath = journalPath;
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
                o.Workflow.VerificationEnabled = true;
                o.Workflow.VerificationWindow = TimeSpan.Zero;
            })
            .AddPlaybookStep("heal", (context, cancellationToken) =>
            {
                // The rollback itself: the target runs the good version again, and the replica that did it is noted.
                cluster.RolledBackBy.GetOrAdd(context.Target.Id, static _ => new ConcurrentQueue<string>()).Enqueue(identity);
                cluster.Broken.TryRemove(context.Target.Id, out _);
                return ValueTask.FromResult(StepResult.Success("healed"));
            })
            .AddEmulatorLeaseLock(_emulator, identity, LockNamespace)
            .AddSharding(o => o.Shards = ShardCount)
            .AddKubernetesSharding(o =>
            {
                o.Namespace = Namespace;
                o.HolderIdentity = identity;
                o.LeaseDuration = LeaseDuration;
                o.RenewDeadline = RenewDeadline;
                o.RetryPeriod = RetryPeriod;
                o.ExpectedReplicas = 3;
                o.ShardSlack = 2; // ceil(12 / 3) + 2 = 6: two replicas can hold all 12 shards.

                // A stopped replica leaves its leases behind, as a replica that died would.
                o.ReleaseOnStop = false;
                configure?.Invoke(o);
            });
        var replica = new Replica(identity, services.BuildServiceProvider()) { JournalPath = journalPath };
        await replica.Elections.StartAsync(CancellationToken.None);
        return replica;
    }

    /// <summary>Each shard's owners among the replicas.</summary>
    private static List<string>[] Owners(IEnumerable<Replica> replicas)
    {
        var owners = Enumerable.Range(0, ShardCount).Select(_ => new List<string>()).ToArray();
        foreach (var replica in replicas)
        {
            foreach (var shard in replica.Owned)
            {
                owners[shard].Add(replica.Identity);
            }
        }

        return owners;
    }

    private static bool ExactlyOneOwnerEach(IEnumerable<Replica> replicas) => Owners(replicas).All(o => o.Count == 1);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. The elections run on the wall clock (KubernetesClient's elector
    /// reads DateTime.UtcNow), so this polls in real time; <paramref name="hangGuard"/> only stops a hung test.
    /// </summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Ticks every running replica once; returns how many targets they acted on together.</summary>
    private static async Task<int> TickAllAsync(IReadOnlyList<Replica> replicas)
    {
        var total = 0;
        foreach (var replica in replicas.Where(r => !r.Stopped))
        {
            var result = await replica.Monitor.TickAsync();
            total += result.OwnedTargets;
        }

        return total;
    }

    private DateTimeOffset LeaseTime(int shard, string field) =>
        DateTimeOffset.Parse(_emulator.Get("coordination.k8s.io/v1", "leases", Namespace, $"rollbackkit-shard-{shard}")!["spec"]![field]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private string? LeaseHolder(int shard) =>
        _emulator.Get("coordination.k8s.io/v1", "leases", Namespace, $"rollbackkit-shard-{shard}")?["spec"]?["holderIdentity"]?.GetValue<string>();

    [Fact]
    public async Task ThreeReplicas_OneDies_EveryTargetMonitoredByOneReplicaAndEachBrokenTargetHasOneCompletedRun()
    {
        var replicas = new List<Replica>();
        try
        {
            foreach (var id in new[] { "replica-a", "replica-b", "replica-c" })
            {
                replicas.Add(await StartReplicaAsync(id));
            }

            // Stable: every shard has exactly one owner, and each owner is the holder written in the shard's Lease.
            await UntilAsync(() => Task.FromResult(ExactlyOneOwnerEach(replicas)), "every shard to have one owner", TimeSpan.FromSeconds(60));
            var owners = Owners(replicas);
            for (var shard = 0; shard < ShardCount; shard++)
            {
                Assert.Equal(owners[shard].Single(), LeaseHolder(shard));
            }

            Assert.All(replicas, r => Assert.InRange(r.Owned.Length, 0, 6));
            output.WriteLine("shards per replica: " + string.Join(", ", replicas.Select(r => $"{r.Identity}={r.Owned.Length}")));

            // One tick on each replica: the owned targets add up to every target, each counted once.
            var results = new List<MonitorTickResult>();
            foreach (var replica in replicas)
            {
                var result = await replica.Monitor.TickAsync();
                results.Add(result);
                Assert.Equal(TargetShard.Count(s => replica.Owned.Contains(s)), result.OwnedTargets);
            }

            Assert.Equal(TargetCount, results.Sum(r => r.OwnedTargets));
            Assert.Empty(_cluster.RolledBackBy);

            // The replica with the most shards will die. Before it does, its first shard breaks and it ticks (it rolls
            // those targets back); then a second shard of it and one shard of a survivor break, and it dies before ticking.
            var victim = replicas.OrderByDescending(r => r.Owned.Length).First();
            var victimShards = victim.Owned;
            Assert.True(victimShards.Length >= 2, $"the victim holds {victimShards.Length} shards");
            var survivors = replicas.Where(r => r != victim).ToList();
            var survivorShard = survivors.SelectMany(r => r.Owned).First();
            var beforeDeath = victimShards[0];
            var aroundTakeover = victimShards[1];
            Break(beforeDeath);
            await victim.Monitor.TickAsync();
            Break(aroundTakeover);
            Break(survivorShard);

            var stoppedAt = DateTimeOffset.UtcNow;
            await victim.Elections.StopAsync(CancellationToken.None);
            victim.Stopped = true;
            Assert.Empty(victim.Ownership.GetOwnedShards());
            var lastRenew = victimShards.ToDictionary(s => s, s => LeaseTime(s, "renewTime"));
            Assert.All(victimShards, s => Assert.Equal(victim.Identity, LeaseHolder(s)));

            // The survivors tick while the dead replica's leases expire; at no point does a shard have two owners.
            await UntilAsync(
                async () =>
                {
                    Assert.All(Owners(survivors), o => Assert.True(o.Count <= 1, "a shard has two owners: " + string.Join(", ", o)));
                    Assert.InRange(await TickAllAsync(survivors), 0, TargetCount);
                    return ExactlyOneOwnerEach(survivors);
                },
                "the survivors to take every shard over",
                TimeSpan.FromSeconds(60));
            var tookOverAfter = DateTimeOffset.UtcNow - stoppedAt;

            // One more tick: every target is monitored by exactly one replica again. The rollbacks run in the background:
            // wait until every broken target is healed and no replica has a rollback in progress.
            Assert.Equal(TargetCount, await TickAllAsync(survivors));
            await UntilAsync(
                () => Task.FromResult(_cluster.Broken.IsEmpty && replicas.All(r => r.Controller.GetActiveRollbacks().Count == 0)),
                "every rollback to finish",
                TimeSpan.FromSeconds(60));

            // Takeover from the Lease objects: the new holder acquired only after the old lease expired (safety, which a
            // busy machine can only make later, never earlier). How soon after expiry depends on the machine's load (the
            // elector counts expiry from when it first saw the last record and polls every retryPeriod), so it is
            // printed rather than asserted: docs/scale.md records the measured values.
            var takeovers = new List<double>();
            foreach (var shard in victimShards)
            {
                var holder = LeaseHolder(shard);
                Assert.Contains(holder, survivors.Select(r => r.Identity));
                var acquired = LeaseTime(shard, "acquireTime");
                var takeover = acquired - lastRenew[shard];
                takeovers.Add(takeover.TotalSeconds);
                Assert.True(takeover >= LeaseDuration - TimeSpan.FromSeconds(1), $"shard {shard} was taken over {takeover.TotalSeconds:0.000} s after the last renewal, before the lease expired");
            }

            output.WriteLine($"takeover after last renewal (s): {string.Join(", ", takeovers.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))}; all shards owned again {tookOverAfter.TotalSeconds:0.000} s after the stop");

            // Zero duplicate rollbacks, from all replicas' journals as the command line reads them: each broken target has
            // exactly one run (one Requested record in one journal), and it completed rolled back; no other target has one.
            var broken = BrokenIn(beforeDeath).Concat(BrokenIn(aroundTakeover)).Concat(BrokenIn(survivorShard)).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(3 * BrokenPerShard, broken.Length);
            var runs = new List<(string Replica, JournalEntry Requested)>();
            var audits = new List<(string Replica, RollbackAuditRecord Audit)>();
            foreach (var replica in replicas)
            {
                var journal = await RollbackJournalFile.ReadAsync(replica.JournalPath);
                Assert.Empty(journal.Problems);
                runs.AddRange(journal.Entries.Where(e => e.Kind == JournalEntryKind.Requested).Select(e => (replica.Identity, e)));
                audits.AddRange((await journal.History.GetRollbacksAsync()).Select(a => (replica.Identity, a)));
            }

            Assert.Equal(broken, runs.Select(r => r.Requested.TargetId).Order(StringComparer.Ordinal));
            Assert.Equal(broken, audits.Select(a => a.Audit.TargetId).Order(StringComparer.Ordinal));
            Assert.All(audits, a => Assert.Equal(RollbackState.RolledBack, a.Audit.State));
            Assert.Equal(runs.Select(r => r.Requested.RollbackId).Order(StringComparer.Ordinal), audits.Select(a => a.Audit.RollbackId).Order(StringComparer.Ordinal));
            var runBy = runs.ToDictionary(r => r.Requested.TargetId, r => r.Replica, StringComparer.Ordinal);

            // The playbook step ran once per target, in the replica whose journal holds the run: the victim for the shard
            // that broke before it died, a survivor for the shard that broke around the takeover.
            Assert.Equal(broken, _cluster.RolledBackBy.Keys.Order(StringComparer.Ordinal));
            Assert.All(broken, id => Assert.Equal(runBy[id], Assert.Single(_cluster.RolledBackBy[id])));
            Assert.All(BrokenIn(beforeDeath), id => Assert.Equal(victim.Identity, runBy[id]));
            Assert.All(BrokenIn(aroundTakeover), id => Assert.NotEqual(victim.Identity, runBy[id]));

            // Every run took the target's Lease lock on the same API server and released it when it finished.
            var locks = _emulator.List("coordination.k8s.io/v1", "leases", LockNamespace);
            Assert.Equal(broken.Length, locks.Count);
            Assert.All(locks, l => Assert.Null(l["spec"]!["holderIdentity"]));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                if (!replica.Stopped)
                {
                    await replica.Elections.StopAsync(CancellationToken.None);
                }

                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TwoReplicas_OneStopsGracefully_ReleasesItsLeasesAndTheOtherTakesOverBeforeTheyWouldExpire()
    {
        var leaseDuration = TimeSpan.FromSeconds(5);
        void Configure(KubernetesShardingOptions o)
        {
            o.ReleaseOnStop = true;
            o.MaxShardsPerReplica = ShardCount;
            o.LeaseDuration = leaseDuration;
            o.RenewDeadline = TimeSpan.FromSeconds(3);
        }

        var replicas = new List<Replica>();
        try
        {
            replicas.Add(await StartReplicaAsync("replica-a", Configure));
            replicas.Add(await StartReplicaAsync("replica-b", Configure));
            await UntilAsync(() => Task.FromResult(ExactlyOneOwnerEach(replicas)), "every shard to have one owner", TimeSpan.FromSeconds(60));
            var leaving = replicas.OrderByDescending(r => r.Owned.Length).First();
            var staying = replicas.Single(r => r != leaving);
            var shards = leaving.Owned;
            Assert.NotEmpty(shards);
            var renewedBefore = shards.ToDictionary(s => s, s => LeaseTime(s, "renewTime"));

            await leaving.Elections.StopAsync(CancellationToken.None);
            leaving.Stopped = true;
            await UntilAsync(() => Task.FromResult(staying.Owned.Length == ShardCount), "the other replica to own every shard", TimeSpan.FromSeconds(60));

            Assert.Equal(TargetCount, (await staying.Monitor.TickAsync()).OwnedTargets);
            foreach (var shard in shards)
            {
                Assert.Equal(staying.Identity, LeaseHolder(shard));
                Assert.Equal(0, _emulator.Get("coordination.k8s.io/v1", "leases", Namespace, $"rollbackkit-shard-{shard}")!["spec"]!["leaseTransitions"]?.GetValue<int>() ?? 0);

                // Created anew after the release, long before the old lease (renewed before the stop) would have expired.
                Assert.True(LeaseTime(shard, "acquireTime") < renewedBefore[shard] + leaseDuration + RetryPeriod, $"shard {shard} was taken over only after its lease expired");
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                if (!replica.Stopped)
                {
                    await replica.Elections.StopAsync(CancellationToken.None);
                }

                await replica.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("LeaseDuration", "RollbackKit:Kubernetes:Sharding:LeaseDuration", "00:00:01.7500000")]
    [InlineData("LeaseNamePrefix", "RollbackKit:Kubernetes:Sharding:LeaseNamePrefix", "'Bad_Prefix'")]
    [InlineData("MaxShardsPerReplica", "RollbackKit:Kubernetes:Sharding:MaxShardsPerReplica", "got 0")]
    public async Task AddKubernetesSharding_InvalidSetting_FailsNamingTheKeyAndValue(string setting, string key, string value)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit().AddKubernetesSharding(o =>
        {
            switch (setting)
            {
                case "LeaseDuration":
                    o.LeaseDuration = TimeSpan.FromSeconds(1.75);
                    o.RenewDeadline = TimeSpan.FromSeconds(1.5);
                    o.RetryPeriod = TimeSpan.FromSeconds(0.25);
                    break;
                case "LeaseNamePrefix":
                    o.LeaseNamePrefix = "Bad_Prefix";
                    break;
                default:
                    o.MaxShardsPerReplica = 0;
                    break;
            }
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<KubernetesShardingOptions>>().Value);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The first <see cref="BrokenPerShard"/> targets of <paramref name="shard"/>, the ones <see cref="Break"/> breaks.</summary>
    private static IEnumerable<string> BrokenIn(int shard) => TargetIds.Where((_, i) => TargetShard[i] == shard).Take(BrokenPerShard);

    private void Break(int shard)
    {
        foreach (var id in BrokenIn(shard))
        {
            _cluster.Broken[id] = 1;
        }
    }
}
