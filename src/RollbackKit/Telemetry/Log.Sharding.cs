using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(1200, LogLevel.Information, "Monitor now owns {Targets} of {AllTargets} targets ({Shards} of {ShardCount} shards).")]
    public static partial void OwnedTargetsChanged(ILogger logger, int targets, int allTargets, int shards, int shardCount);
}
