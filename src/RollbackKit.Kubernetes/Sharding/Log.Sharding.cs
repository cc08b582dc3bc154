using Microsoft.Extensions.Logging;

namespace RollbackKit.Kubernetes.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Shard {Shard} gained (lease {Lease}, {Owned} of at most {Capacity} shards held by {Identity})")]
    public static partial void ShardGained(ILogger logger, int shard, string lease, int owned, int capacity, string identity);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Shard {Shard} lost (lease {Lease}, {Owned} shards held by {Identity})")]
    public static partial void ShardLost(ILogger logger, int shard, string lease, int owned, string identity);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Shard lease {Lease} released by {Identity}")]
    public static partial void ShardReleased(ILogger logger, string lease, string identity);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Shard lease {Lease} could not be released; it expires on its own: {Reason}")]
    public static partial void ShardReleaseFailed(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Debug, Message = "Shard lease {Lease} election: {Reason}")]
    public static partial void ShardElectionError(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Warning, Message = "Sharding: {Replicas} replicas holding at most {Capacity} shards each cannot own all {Shards} shards when one replica is down; raise Kubernetes:Sharding:MaxShardsPerReplica or ShardSlack")]
    public static partial void ShardCapacityLow(ILogger logger, int replicas, int capacity, int shards);
}
