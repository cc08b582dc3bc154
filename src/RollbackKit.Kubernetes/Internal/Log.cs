using Microsoft.Extensions.Logging;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>Every <c>[LoggerMessage]</c> of the Kubernetes package, with event ids in the package's range 3000–3999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Kubernetes API call failed, retry {Attempt}: {Reason}")]
    public static partial void Retrying(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Conflict while {What}; re-reading (attempt {Attempt})")]
    public static partial void ConflictRetry(ILogger logger, string what, int attempt);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Rolled back deployment {Namespace}/{Name} to revision {Revision}")]
    public static partial void RolledBack(ILogger logger, string @namespace, string name, long revision);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Lease {Lease} lost: {Reason}")]
    public static partial void LeaseLost(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Leadership of {Lease} changed: leader={IsLeader} ({Identity})")]
    public static partial void LeadershipChanged(ILogger logger, string lease, bool isLeader, string identity);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Evidence item {Item} could not be collected: {Reason}")]
    public static partial void EvidenceFailed(ILogger logger, string item, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Leader election round failed: {Reason}")]
    public static partial void ElectionFailed(ILogger logger, string reason);
}
