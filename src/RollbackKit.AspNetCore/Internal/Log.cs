using Microsoft.Extensions.Logging;
using RollbackKit.Dispatch;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the AspNetCore package, with event ids in the package's range 7000–7999.
/// None of them carries a secret or a request body.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(7001, LogLevel.Warning, "Webhook request for unknown handler '{Name}' rejected (404)")]
    public static partial void UnknownHandler(ILogger logger, string name);

    [LoggerMessage(7002, LogLevel.Warning, "Webhook '{Name}' request body over {Limit} bytes rejected (413)")]
    public static partial void BodyTooLarge(ILogger logger, string name, long limit);

    [LoggerMessage(7003, LogLevel.Error, "Webhook handler '{Name}' failed ({ExceptionType})")]
    public static partial void HandlerFailed(ILogger logger, string name, string exceptionType);

    [LoggerMessage(7004, LogLevel.Warning, "Two webhook handlers are named '{Name}'; the first registered one is used")]
    public static partial void DuplicateHandler(ILogger logger, string name);

    [LoggerMessage(7005, LogLevel.Debug, "Webhook '{Name}' answered {StatusCode}")]
    public static partial void Answered(ILogger logger, string name, int statusCode);

    [LoggerMessage(7010, LogLevel.Warning, "Webhook '{Handler}' rejected: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string handler, string reason);

    [LoggerMessage(7011, LogLevel.Warning, "Webhook '{Handler}' malformed: {Reason}")]
    public static partial void WebhookMalformed(ILogger logger, string handler, string reason);

    [LoggerMessage(7012, LogLevel.Information, "Webhook '{Handler}' requested a rollback of {TargetId}: {Status}")]
    public static partial void WebhookDispatched(ILogger logger, string handler, string targetId, DispatchStatus status);

    [LoggerMessage(7100, LogLevel.Warning, "Management API: manual rollback of {Target} by {Caller}: rollback {RollbackId} (joined: {Joined})")]
    public static partial void ApiRollbackRequested(ILogger logger, string target, string caller, string rollbackId, bool joined);

    [LoggerMessage(7101, LogLevel.Warning, "Management API: automatic rollback of {Target} set to {Enabled} by {Caller}")]
    public static partial void ApiAutoRollbackChanged(ILogger logger, string target, bool enabled, string caller);

    [LoggerMessage(7102, LogLevel.Warning, "Management API: rollback {RollbackId} {Decision} by {Caller}")]
    public static partial void ApiDecided(ILogger logger, string rollbackId, string decision, string caller);

    [LoggerMessage(7104, LogLevel.Warning, "Management API: automatic rollback attempts and cooldown of {Target} reset by {Caller}")]
    public static partial void ApiAttemptsReset(ILogger logger, string target, string caller);

    [LoggerMessage(7103, LogLevel.Information, "Management API: request about {Subject} answered {Status}: {Detail}")]
    public static partial void ApiRefused(ILogger logger, string subject, int status, string detail);
}
