using Microsoft.Extensions.Logging;
using RollbackKit.Dispatch;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>Log messages. None of them carries a secret or a request body.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Webhook request for unknown handler '{Name}' rejected (404)")]
    public static partial void UnknownHandler(ILogger logger, string name);

    [LoggerMessage(2002, LogLevel.Warning, "Webhook '{Name}' request body over {Limit} bytes rejected (413)")]
    public static partial void BodyTooLarge(ILogger logger, string name, long limit);

    [LoggerMessage(2003, LogLevel.Error, "Webhook handler '{Name}' failed ({ExceptionType})")]
    public static partial void HandlerFailed(ILogger logger, string name, string exceptionType);

    [LoggerMessage(2004, LogLevel.Warning, "Two webhook handlers are named '{Name}'; the first registered one is used")]
    public static partial void DuplicateHandler(ILogger logger, string name);

    [LoggerMessage(2005, LogLevel.Debug, "Webhook '{Name}' answered {StatusCode}")]
    public static partial void Answered(ILogger logger, string name, int statusCode);

    [LoggerMessage(2010, LogLevel.Warning, "Webhook '{Handler}' rejected: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string handler, string reason);

    [LoggerMessage(2011, LogLevel.Warning, "Webhook '{Handler}' malformed: {Reason}")]
    public static partial void WebhookMalformed(ILogger logger, string handler, string reason);

    [LoggerMessage(2012, LogLevel.Information, "Webhook '{Handler}' requested a rollback of {TargetId}: {Status}")]
    public static partial void WebhookDispatched(ILogger logger, string handler, string targetId, DispatchStatus status);
}
