using System.Diagnostics.Metrics;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>The webhook endpoint's instruments on meter <c>RollbackKit</c>.</summary>
internal sealed class WebhookMetrics
{
    public const string MeterName = "RollbackKit";

    private static readonly Meter s_fallbackMeter = new(MeterName);

    private readonly Counter<long> _requests;

    public WebhookMetrics(IServiceProvider services)
    {
        // A generic host registers IMeterFactory; a bare service collection may not, then a process-wide meter is used.
        var meter = (services.GetService(typeof(IMeterFactory)) as IMeterFactory)?.Create(MeterName) ?? s_fallbackMeter;
        _requests = meter.CreateCounter<long>("rollbackkit.webhook.requests", "{request}", "Inbound webhook requests by handler and HTTP status.");
    }

    public void Request(string handler, int status) =>
        _requests.Add(1, new KeyValuePair<string, object?>("handler", handler), new KeyValuePair<string, object?>("status", status));
}
