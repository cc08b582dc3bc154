using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 950, Level = LogLevel.Warning, Message = "Automatic rollback of {Target} turned {State} by {ChangedBy}: {Reason}")]
    public static partial void AutoRollbackChanged(ILogger logger, string target, string state, string changedBy, string reason);

    [LoggerMessage(EventId = 951, Level = LogLevel.Warning, Message = "Manual rollback of {Target} requested by {RequestedBy}: {Outcome}")]
    public static partial void ManualRollbackRequested(ILogger logger, string target, string requestedBy, string outcome);

    [LoggerMessage(EventId = 952, Level = LogLevel.Information, Message = "Idempotency key of a manual rollback of {Target} was used before by rollback {RollbackId}")]
    public static partial void IdempotencyKeyReused(ILogger logger, string target, string rollbackId);

    [LoggerMessage(EventId = 953, Level = LogLevel.Warning, Message = "Rollback {RollbackId} {Decision} by {DecidedBy}")]
    public static partial void OperatorDecided(ILogger logger, string rollbackId, string decision, string decidedBy);

    [LoggerMessage(EventId = 954, Level = LogLevel.Warning, Message = "Automatic rollback attempts and cooldown of {Target} reset by {ResetBy}: {Reason}")]
    public static partial void AttemptsReset(ILogger logger, string target, string resetBy, string reason);
}
