using System.Diagnostics.Metrics;

namespace RollbackKit.Slack.Internal;

/// <summary>Instruments of the Slack and PagerDuty integrations on meter <c>RollbackKit</c>.</summary>
internal sealed class IntegrationMetrics
{
    public const string MeterName = "RollbackKit";

    private static readonly Meter s_fallbackMeter = new(MeterName);

    private readonly Counter<long> _notifications;
    private readonly Counter<long> _webhooks;

    public IntegrationMetrics(IServiceProvider services)
    {
        // A generic host registers IMeterFactory; a bare service collection may not, then a process-wide meter is used.
        var meter = (services.GetService(typeof(IMeterFactory)) as IMeterFactory)?.Create(MeterName) ?? s_fallbackMeter;
        _notifications = meter.CreateCounter<long>("rollbackkit.notifications", "{message}", "Notifications by notifier and outcome (sent, failed, queued).");
        _webhooks = meter.CreateCounter<long>("rollbackkit.webhook.decisions", "{request}", "Inbound webhook requests by handler and outcome.");
    }

    public void Notification(string notifier, string outcome) =>
        _notifications.Add(1, new KeyValuePair<string, object?>("notifier", notifier), new KeyValuePair<string, object?>("outcome", outcome));

    public void Webhook(string handler, string outcome) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>("handler", handler), new KeyValuePair<string, object?>("outcome", outcome));
}
