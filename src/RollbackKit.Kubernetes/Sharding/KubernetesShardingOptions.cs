namespace RollbackKit.Kubernetes;

/// <summary>
/// Options of the Lease-based shard ownership (<c>AddKubernetesSharding</c>, section <c>RollbackKit:Kubernetes:Sharding</c>):
/// one <c>coordination.k8s.io/v1</c> Lease per shard, named <c>{LeaseNamePrefix}-shard-{n}</c>, each held through
/// KubernetesClient's leader election (<c>k8s.LeaderElection.LeaderElector</c>).
/// </summary>
public sealed class KubernetesShardingOptions
{
    /// <summary>Namespace holding the shard leases. Default: <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Prefix of the lease names; <c>-shard-{n}</c> follows. Default: <c>rollbackkit</c>.</summary>
    public string LeaseNamePrefix { get; set; } = "rollbackkit";

    /// <summary>This replica's identity written as <c>holderIdentity</c>. Default: machine name plus a random suffix.</summary>
    public string HolderIdentity { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];

    /// <summary>How long a shard stays owned without renewal; another replica takes it over after that. Default: 15 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the owner keeps retrying a failed renewal before it gives the shard up. Default: 10 seconds.</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an owned lease is renewed and a free or expired one is tried. Default: 2 seconds.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many replicas normally run; sets the default <see cref="MaxShardsPerReplica"/>. Default: 1.</summary>
    public int ExpectedReplicas { get; set; } = 1;

    /// <summary>Shards a replica may hold above its even share when <see cref="MaxShardsPerReplica"/> is unset. Default: 1.</summary>
    public int ShardSlack { get; set; } = 1;

    /// <summary>
    /// The most shards one replica holds at once, so shards spread over the replicas. Default: unset, meaning
    /// <c>ceil(Shards / ExpectedReplicas) + ShardSlack</c>. Every shard stays owned while
    /// <c>(running replicas) × MaxShardsPerReplica ≥ Shards</c>.
    /// </summary>
    public int? MaxShardsPerReplica { get; set; }

    /// <summary>
    /// Whether a stopping replica deletes the leases it holds (only if still its own, checked by resourceVersion), so
    /// the others take the shards over within one <see cref="RetryPeriod"/> instead of after <see cref="LeaseDuration"/>.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool ReleaseOnStop { get; set; } = true;

    /// <summary>The most shards this replica holds at once, for <paramref name="shards"/> shards.</summary>
    internal int Capacity(int shards) =>
        Math.Clamp(MaxShardsPerReplica ?? ((shards + Math.Max(1, ExpectedReplicas) - 1) / Math.Max(1, ExpectedReplicas)) + ShardSlack, 1, Math.Max(1, shards));

    /// <summary>The lease name of shard <paramref name="shard"/>.</summary>
    internal string LeaseName(int shard) => LeaseNamePrefix + "-shard-" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
