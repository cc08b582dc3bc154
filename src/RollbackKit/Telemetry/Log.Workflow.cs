using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Rollback {RollbackId} of {Target} -> {State}")]
    public static partial void Transition(ILogger logger, string rollbackId, string target, RollbackState state);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} finished {State}: {Message}")]
    public static partial void Finished(ILogger logger, string rollbackId, string target, RollbackState state, string message);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} interrupted in state {State}; it stays unfinished in the journal and is resumed by the next lock holder")]
    public static partial void Interrupted(ILogger logger, string rollbackId, string target, RollbackState state);

    [LoggerMessage(EventId = 604, Level = LogLevel.Error, Message = "Rollback {RollbackId} of {Target}: workflow error")]
    public static partial void WorkflowFailed(ILogger logger, string rollbackId, string target, Exception exception);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "Releasing the lock of {Target} failed")]
    public static partial void LockReleaseFailed(ILogger logger, string target, Exception exception);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "{Count} rollbacks did not stop within the shutdown timeout")]
    public static partial void ShutdownTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 607, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} exceeded its budget of {Budget}")]
    public static partial void OverBudget(ILogger logger, string rollbackId, string target, TimeSpan budget);

    [LoggerMessage(EventId = 608, Level = LogLevel.Error, Message = "Rollback {RollbackId}: writing the evidence bundle failed")]
    public static partial void EvidenceFailed(ILogger logger, string rollbackId, Exception exception);

    [LoggerMessage(EventId = 690, Level = LogLevel.Warning, Message = "Rollback {RollbackId}: step {Step} was started by a previous process and not finished: {Decision}")]
    public static partial void InterruptedStep(ILogger logger, string rollbackId, string step, string decision);

    [LoggerMessage(EventId = 691, Level = LogLevel.Warning, Message = "Rollback {RollbackId}: the effect probe of step {Step} failed; treating its effect as unknown")]
    public static partial void EffectProbeFailed(ILogger logger, string rollbackId, string step, Exception exception);
}
