using System.Diagnostics.Metrics;
using RollbackKit.Telemetry;

namespace RollbackKit.Internal;

/// <summary>
/// Instruments shared by the notification packages (Slack, PagerDuty, Email), on the <c>RollbackKit</c> meter from
/// <see cref="IMeterFactory"/> (which owns it). One source file compiled into each package, so both report the same
/// instruments with the same tags.
/// </summary>
internal sealed class IntegrationMetrics
{
    /// <summary>Tag: the notifier name (<c>slack</c>, <c>pagerduty</c>).</summary>
    public const string NotifierTag = "notifier";

    /// <summary>Tag: the webhook handler name (<c>slack</c>, <c>pagerduty</c>).</summary>
    public const string HandlerTag = "handler";

    /// <summary>Tag: what happened (<c>sent</c>, <c>failed</c>, <c>queued</c>; <c>unauthorized</c>, <c>approved</c>, …).</summary>
    public const string OutcomeTag = "outcome";

    private readonly Counter<long> _notifications;
    private readonly Counter<long> _webhooks;

    public IntegrationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RollbackKitTelemetry.MeterName);
        _notifications = meter.CreateCounter<long>("rollbackkit.notifications", "{message}", "Notifications by notifier and outcome (sent, failed, queued).");
        _webhooks = meter.CreateCounter<long>("rollbackkit.webhook.decisions", "{request}", "Inbound webhook requests by handler and outcome.");
    }

    public void Notification(string notifier, string outcome) =>
        _notifications.Add(1, new KeyValuePair<string, object?>(NotifierTag, notifier), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void Webhook(string handler, string outcome) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>(HandlerTag, handler), new KeyValuePair<string, object?>(OutcomeTag, outcome));
}
