using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} accepted ({TriggerType}, {Priority}): {Reason}")]
    public static partial void Accepted(ILogger logger, string rollbackId, string target, RollbackTriggerType triggerType, string priority, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Alert for {Target}: {Message}")]
    public static partial void Alerted(ILogger logger, string target, string message);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Rollback request for {Target} refused: {Message}")]
    public static partial void Refused(ILogger logger, string target, string message);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Automatic rollback for {Target} enabled={Enabled}")]
    public static partial void KillSwitch(ILogger logger, string target, bool enabled);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Journal shows rollback {RollbackId} of {Target} unfinished in state {State}")]
    public static partial void FoundUnfinished(ILogger logger, string rollbackId, string target, RollbackState state);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "Rollback request for {Target} is a duplicate: {Message}")]
    public static partial void Duplicate(ILogger logger, string target, string message);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Dry run for {Target}: {Message}")]
    public static partial void DryRunRecorded(ILogger logger, string target, string message);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Rollback request for {Target} joined the rollback another process is running (it holds the target lock)")]
    public static partial void JoinedElsewhere(ILogger logger, string target);

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "Resuming rollback {RollbackId} of {Target} from state {State}")]
    public static partial void Resumed(ILogger logger, string rollbackId, string target, RollbackState state);
}
