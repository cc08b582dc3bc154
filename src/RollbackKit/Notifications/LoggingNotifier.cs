using Microsoft.Extensions.Logging;

namespace RollbackKit.Notifications;

/// <summary>The default notifier: writes every event to the log (warnings for failures and escalations).</summary>
internal sealed partial class LoggingNotifier(ILogger<LoggingNotifier> logger) : INotifier
{
    public string Name => "log";

    public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollbackEvent);
        var id = rollbackEvent.RollbackId ?? "-";
        switch (rollbackEvent.Kind)
        {
            case RollbackEventKind.Failed or RollbackEventKind.Escalated:
                Log.Critical(logger, rollbackEvent.Kind, rollbackEvent.Target.Id, id, rollbackEvent.Message);
                break;
            case RollbackEventKind.Alert or RollbackEventKind.Rejected or RollbackEventKind.AwaitingApproval or RollbackEventKind.Fired:
                Log.Warning(logger, rollbackEvent.Kind, rollbackEvent.Target.Id, id, rollbackEvent.Message, rollbackEvent.ApprovalId);
                break;
            default:
                Log.Info(logger, rollbackEvent.Kind, rollbackEvent.Target.Id, id, rollbackEvent.Message, rollbackEvent.Duration);
                break;
        }

        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1411, Level = LogLevel.Error, Message = "Rollback {Kind}: target {Target}, rollback {RollbackId}: {Message}")]
        public static partial void Critical(ILogger logger, RollbackEventKind kind, string target, string rollbackId, string message);

        [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "Rollback {Kind}: target {Target}, rollback {RollbackId}: {Message} (approval id {ApprovalId})")]
        public static partial void Warning(ILogger logger, RollbackEventKind kind, string target, string rollbackId, string message, string? approvalId);

        [LoggerMessage(EventId = 1413, Level = LogLevel.Information, Message = "Rollback {Kind}: target {Target}, rollback {RollbackId}: {Message} ({Duration})")]
        public static partial void Info(ILogger logger, RollbackEventKind kind, string target, string rollbackId, string message, TimeSpan? duration);
    }
}
