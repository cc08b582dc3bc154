using Microsoft.Extensions.Logging;

namespace RollbackKit.Email.Internal;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the e-mail package, with event ids in the package's range 8000–8999.
/// None of them carries the SMTP password; error texts pass through the redactor first.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(8001, LogLevel.Information, "Rollback summary of {RollbackId} ({Result}) for {TargetId} mailed to {RecipientCount} recipients")]
    public static partial void EmailSent(ILogger logger, string rollbackId, RollbackState result, string targetId, int recipientCount);

    [LoggerMessage(8002, LogLevel.Error, "Mailing the rollback summary of {RollbackId} through {Host}:{Port} failed ({ExceptionType}): {Error}")]
    public static partial void EmailFailed(ILogger logger, string rollbackId, string host, int port, string exceptionType, string error);

    [LoggerMessage(8003, LogLevel.Error, "Mailing the rollback summary of {RollbackId} through {Host}:{Port} timed out after {Timeout}")]
    public static partial void EmailTimedOut(ILogger logger, string rollbackId, string host, int port, TimeSpan timeout);

    [LoggerMessage(8004, LogLevel.Debug, "Rollback {RollbackId} ended {Result}, which is not among the results to mail")]
    public static partial void EmailSkipped(ILogger logger, string rollbackId, RollbackState result);

    [LoggerMessage(8005, LogLevel.Warning, "Reading the audit record of rollback {RollbackId} from the journal failed ({ExceptionType}); the summary is mailed without its steps")]
    public static partial void EmailJournalUnavailable(ILogger logger, string rollbackId, string exceptionType);

    [LoggerMessage(8006, LogLevel.Warning, "Mailing the rollback summary of {RollbackId} was cancelled")]
    public static partial void EmailCancelled(ILogger logger, string rollbackId);
}
