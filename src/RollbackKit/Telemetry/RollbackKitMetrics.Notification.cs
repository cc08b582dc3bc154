using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Counter<long> _notifications = null!;

    partial void CreateNotificationInstruments(Meter meter) =>
        _notifications = meter.CreateCounter<long>("rollbackkit.notification.deliveries", "{notification}", "Notifier deliveries by outcome.");

    /// <summary>A notifier delivered (or failed to deliver) one event; <paramref name="outcome"/> is <c>succeeded</c>, <c>failed</c> or <c>timeout</c>.</summary>
    public void NotificationDelivered(string notifier, string outcome) =>
        _notifications.Add(1, new TagList
        {
            { RollbackKitTags.Notifier, notifier },
            { RollbackKitTags.Outcome, outcome },
        });
}
