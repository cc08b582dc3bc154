using Microsoft.Extensions.Logging;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Every <c>[LoggerMessage]</c> of the Prometheus package, with event ids in the package's range 2000–2999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Retrying the Prometheus request (retry {Attempt}) after HTTP status {StatusCode} (0: no response)")]
    public static partial void Retrying(ILogger logger, Exception? exception, int attempt, int statusCode);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Prometheus /api/v1/{Api} answered HTTP {StatusCode}")]
    public static partial void RequestAnswered(ILogger logger, string api, int statusCode);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Prometheus returned a warning: {Warning}")]
    public static partial void QueryWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Query {Query} failed ({Kind}): {Error}")]
    public static partial void QueryFailed(ILogger logger, string query, PrometheusErrorKind kind, string error);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Query {Query} cannot be rendered: {Error}")]
    public static partial void QueryNotRenderable(ILogger logger, string query, string error);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Alertmanager alert {Fingerprint} ({AlertName}) dispatched a rollback of {Target}: {Status}")]
    public static partial void AlertDispatched(ILogger logger, string fingerprint, string? alertName, string target, RollbackKit.Dispatch.DispatchStatus status);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Alertmanager alert {Fingerprint} ({AlertName}) resolved")]
    public static partial void AlertResolved(ILogger logger, string fingerprint, string? alertName);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Alertmanager alert {Fingerprint} ({AlertName}) matches no configured target")]
    public static partial void AlertUnmatched(ILogger logger, string fingerprint, string? alertName);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Debug, Message = "Alertmanager alert {Fingerprint} was already dispatched")]
    public static partial void AlertDuplicate(ILogger logger, string fingerprint);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Rejected an Alertmanager webhook: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Error, Message = "Dispatching the rollback for Alertmanager alert {Fingerprint} failed")]
    public static partial void AlertDispatchFailed(ILogger logger, Exception exception, string fingerprint);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "The Alertmanager webhook accepts requests without credentials ({KeyPath} is true): anyone who can reach it can request rollbacks; set BearerToken or Username/Password and configure Alertmanager's http_config")]
    public static partial void AlertmanagerAnonymous(ILogger logger, string keyPath);
}
