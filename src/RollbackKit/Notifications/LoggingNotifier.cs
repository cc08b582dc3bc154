using Microsoft.Extensions.Logging;
using RollbackKit.Telemetry;

namespace RollbackKit.Notifications;

/// <summary>The default notifier: writes every event to the log (warnings for failures and escalations).</summary>
internal sealed class LoggingNotifier(ILogger<LoggingNotifier> logger) : INotifier
{
    public string Name => "log";

    public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollbackEvent);
        var id = rollbackEvent.RollbackId ?? "-";
        switch (rollbackEvent.Kind)
        {
            case RollbackEventKind.Failed or RollbackEventKind.Escalated:
                Log.EventCritical(logger, rollbackEvent.Kind, rollbackEvent.Target.Id, id, rollbackEvent.Message);
                break;
            case RollbackEventKind.Alert or RollbackEventKind.Rejected or RollbackEventKind.AwaitingApproval or RollbackEventKind.Fired:
                Log.EventWarning(logger, rollbackEvent.Kind, rollbackEvent.Target.Id, id, rollbackEvent.Message, rollbackEvent.ApprovalId);
                break;
            default:
                Log.EventInfo(logger, rollbackEvent.Kind, rollbackEvent.Target.Id, id, rollbackEvent.Message, rollbackEvent.Duration);
                break;
        }

        return ValueTask.CompletedTask;
    }
}
