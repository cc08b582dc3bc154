namespace RollbackKit.Sharding;

/// <summary>
/// How the targets are split between controller replicas (section <c>RollbackKit:Sharding</c>): each target belongs to
/// one of <see cref="Shards"/> shards (<see cref="TargetShards.ShardOf"/>), and each replica monitors only the targets of
/// the shards it owns (<see cref="IShardOwnership"/>).
/// </summary>
public sealed class ShardingOptions
{
    /// <summary>The configuration section name under <c>RollbackKit</c>.</summary>
    public const string SectionName = "Sharding";

    /// <summary>Number of shards the targets are hashed into; at least 1. Default: 1 (one shard holding every target).</summary>
    public int Shards { get; set; } = 1;
}
