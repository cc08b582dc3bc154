using Microsoft.Extensions.Logging;
using RollbackKit.Notifications;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Notifier {Notifier} failed to send {Kind}")]
    public static partial void NotifierFailed(ILogger logger, string notifier, RollbackEventKind kind, Exception exception);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Notifier {Notifier} did not send {Kind} within {Timeout}; abandoned")]
    public static partial void NotifierTimedOut(ILogger logger, string notifier, RollbackEventKind kind, TimeSpan timeout);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "Notifier {Notifier}: {Kind} dropped after shutdown")]
    public static partial void Dropped(ILogger logger, string notifier, RollbackEventKind kind);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "Notifier {Notifier}: {Count} events dropped at shutdown (not delivered within the drain timeout of {DrainTimeout})")]
    public static partial void DroppedAtShutdown(ILogger logger, string notifier, int count, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 911, Level = LogLevel.Error, Message = "Rollback {Kind}: target {Target}, rollback {RollbackId}: {Message}")]
    public static partial void EventCritical(ILogger logger, RollbackEventKind kind, string target, string rollbackId, string message);

    [LoggerMessage(EventId = 912, Level = LogLevel.Warning, Message = "Rollback {Kind}: target {Target}, rollback {RollbackId}: {Message} (approval id {ApprovalId})")]
    public static partial void EventWarning(ILogger logger, RollbackEventKind kind, string target, string rollbackId, string message, string? approvalId);

    [LoggerMessage(EventId = 913, Level = LogLevel.Information, Message = "Rollback {Kind}: target {Target}, rollback {RollbackId}: {Message} ({Duration})")]
    public static partial void EventInfo(ILogger logger, RollbackEventKind kind, string target, string rollbackId, string message, TimeSpan? duration);
}
