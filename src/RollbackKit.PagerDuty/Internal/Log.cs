using Microsoft.Extensions.Logging;
using RollbackKit.Dispatch;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the PagerDuty package, with event ids in the package's range 6000–6999.
/// None of them carries a routing key or webhook secret.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(6001, LogLevel.Information, "PagerDuty {Action} sent for {DedupKey}")]
    public static partial void PagerDutySent(ILogger logger, string action, string dedupKey);

    [LoggerMessage(6002, LogLevel.Error, "PagerDuty {Action} for {DedupKey} failed with HTTP {StatusCode}")]
    public static partial void PagerDutyFailed(ILogger logger, string action, string dedupKey, int statusCode);

    [LoggerMessage(6003, LogLevel.Warning, "PagerDuty request retry {Attempt} after HTTP {StatusCode}, waiting {DelaySeconds}s")]
    public static partial void PagerDutyRetrying(ILogger logger, int attempt, int statusCode, double delaySeconds);

    [LoggerMessage(6004, LogLevel.Error, "PagerDuty unreachable: {Error}")]
    public static partial void PagerDutyUnreachable(ILogger logger, string error);

    [LoggerMessage(6010, LogLevel.Information, "PagerDuty incident {IncidentId} ignored: {Reason}")]
    public static partial void PagerDutyIgnored(ILogger logger, string incidentId, string reason);

    [LoggerMessage(6011, LogLevel.Warning, "Webhook '{Handler}' rejected: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string handler, string reason);

    [LoggerMessage(6012, LogLevel.Warning, "Webhook '{Handler}' malformed: {Reason}")]
    public static partial void WebhookMalformed(ILogger logger, string handler, string reason);

    [LoggerMessage(6013, LogLevel.Information, "Webhook '{Handler}' requested a rollback of {TargetId}: {Status}")]
    public static partial void WebhookDispatched(ILogger logger, string handler, string targetId, DispatchStatus status);

    [LoggerMessage(6005, LogLevel.Warning, "Recording or reading the PagerDuty incident of rollback {RollbackId} in the journal failed ({ExceptionType})")]
    public static partial void PagerDutyStateFailed(ILogger logger, string rollbackId, string exceptionType);
}
