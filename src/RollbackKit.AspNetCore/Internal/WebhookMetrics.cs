using System.Diagnostics.Metrics;
using RollbackKit.Telemetry;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>The webhook endpoint's instruments, on the <c>RollbackKit</c> meter from <see cref="IMeterFactory"/> (which owns it).</summary>
internal sealed class WebhookMetrics
{
    /// <summary>Tag: the handler name from the route (<c>unknown</c> when no handler has that name).</summary>
    public const string HandlerTag = "handler";

    /// <summary>Tag: the HTTP status code answered.</summary>
    public const string StatusTag = "status";

    private readonly Counter<long> _requests;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RollbackKitTelemetry.MeterName);
        _requests = meter.CreateCounter<long>("rollbackkit.webhook.requests", "{request}", "Inbound webhook requests by handler and HTTP status.");
    }

    public void Request(string handler, int status) =>
        _requests.Add(1, new KeyValuePair<string, object?>(HandlerTag, handler), new KeyValuePair<string, object?>(StatusTag, status));
}
