using Microsoft.Extensions.Logging;
using RollbackKit.Groups;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Rollback {RollbackId} of group {Group} ({Order}): rolling back {Members}")]
    public static partial void GroupRollingBack(ILogger logger, string rollbackId, string group, RollbackGroupOrder order, string members);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of group {Group}: member {Member} failed: {Message}")]
    public static partial void GroupMemberFailed(ILogger logger, string rollbackId, string group, string member, string message);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Rollback {RollbackId}: member {Member} was rolled back before the restart; not run again")]
    public static partial void GroupMemberDone(ILogger logger, string rollbackId, string member);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Request for {Target} is handled by its group {Group}")]
    public static partial void RoutedToGroup(ILogger logger, string target, string group);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Manual rollback {RollbackId} of group {Group} requested by {RequestedBy} overrides: {Overrides}")]
    public static partial void GroupManualOverride(ILogger logger, string rollbackId, string group, string requestedBy, string overrides);
}
