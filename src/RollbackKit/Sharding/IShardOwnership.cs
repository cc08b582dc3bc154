namespace RollbackKit.Sharding;

/// <summary>
/// Which shards this replica owns. The monitor asks before each tick and queries, evaluates and dispatches only the
/// targets of owned shards; it recomputes its list of owned targets only after <see cref="OwnershipChanged"/>. Registered by
/// <c>AddSharding()</c> (a single replica owning every shard) and replaced by adapters that coordinate replicas, for
/// example <c>AddKubernetesSharding()</c> (one Kubernetes Lease per shard).
/// </summary>
public interface IShardOwnership
{
    /// <summary>The number of shards (<see cref="ShardingOptions.Shards"/>).</summary>
    int ShardCount { get; }

    /// <summary>Whether this replica owns <paramref name="shard"/> now.</summary>
    /// <param name="shard">The shard number, in [0, <see cref="ShardCount"/>).</param>
    /// <returns><see langword="true"/> when owned.</returns>
    bool Owns(int shard);

    /// <summary>A snapshot of the owned shards, in ascending order.</summary>
    /// <returns>The owned shard numbers.</returns>
    IReadOnlyList<int> GetOwnedShards();

    /// <summary>Raised after a shard was gained or lost.</summary>
    event EventHandler? OwnershipChanged;
}
