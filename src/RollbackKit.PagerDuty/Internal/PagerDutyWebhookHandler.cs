using RollbackKit.Internal;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;
using RollbackKit.Triggers;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>
/// Handles PagerDuty v3 webhooks: a P0/P1 incident (<c>incident.triggered</c>, <c>incident.escalated</c>,
/// <c>incident.priority_updated</c>) on a mapped service becomes an incident-escalation rollback request.
/// </summary>
internal sealed class PagerDutyWebhookHandler(
    IRollbackDispatcher dispatcher,
    IRollbackTargetCatalog catalog,
    IOptionsMonitor<PagerDutyOptions> options,
    TimeProvider timeProvider,
    IntegrationMetrics metrics,
    ILogger<PagerDutyWebhookHandler> logger) : IInboundWebhookHandler
{
    private static readonly string[] s_defaultPriorities = ["P0", "P1"];

    public string Name => "pagerduty";

    public async ValueTask<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue;
        if (o.WebhookSecrets.TrueForAll(string.IsNullOrEmpty))
        {
            Log.WebhookRejected(logger, Name, "no webhook secret is configured");
            return new WebhookResponse(401, """{"error":"invalid signature"}""");
        }

        request.Headers.TryGetValue("X-PagerDuty-Signature", out var signature);
        if (!PagerDutySignature.Verify(o.WebhookSecrets, request.Body.Span, signature))
        {
            Log.WebhookRejected(logger, Name, signature is null ? "missing X-PagerDuty-Signature" : "signature mismatch");
            metrics.Webhook(Name, "unauthorized");
            return new WebhookResponse(401, """{"error":"invalid signature"}""");
        }

        if (!WebhookBody.TryValidateJson(request.Body.Span, out var problem))
        {
            return Malformed(problem);
        }

        Incident incident;
        try
        {
            using var doc = JsonDocument.Parse(request.Body);
            var parsed = Incident.TryParse(doc.RootElement, out var error);
            if (parsed is null)
            {
                return Malformed(error!);
            }

            incident = parsed;
        }
        catch (JsonException)
        {
            return Malformed("body is not JSON");
        }

        if (incident.EventType is not ("incident.triggered" or "incident.escalated" or "incident.priority_updated"))
        {
            return Ignored("event type not handled");
        }

        var priorities = o.RollbackPriorities.Count == 0 ? s_defaultPriorities : (IEnumerable<string>)o.RollbackPriorities;
        if (incident.Priority is null || !priorities.Any(p => string.Equals(p?.Trim(), incident.Priority.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            Log.PagerDutyIgnored(logger, incident.IncidentId, "priority " + (incident.Priority ?? "none") + " does not request a rollback");
            return Ignored("priority does not request a rollback");
        }

        if (incident.ServiceId is null || !o.ServiceTargets.TryGetValue(incident.ServiceId, out var targetId))
        {
            Log.PagerDutyIgnored(logger, incident.IncidentId, "service is not mapped to a target");
            return Ignored("service is not mapped to a target");
        }

        if (!catalog.TryGet(targetId, out var target))
        {
            Log.PagerDutyIgnored(logger, incident.IncidentId, "mapped target '" + targetId + "' is not configured");
            return new WebhookResponse(422, """{"error":"mapped target is not configured"}""");
        }

        if (!RollbackSeverityExtensions.TryParse(incident.Priority, out var severity))
        {
            severity = RollbackSeverity.High;
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pagerduty.incident_id"] = incident.IncidentId,
            ["pagerduty.event_type"] = incident.EventType,
            ["pagerduty.priority"] = incident.Priority,
            ["pagerduty.service_id"] = incident.ServiceId,
        };
        if (incident.Number is not null)
        {
            details["pagerduty.incident_number"] = incident.Number;
        }

        if (incident.HtmlUrl is not null)
        {
            details["pagerduty.url"] = incident.HtmlUrl;
        }

        var rollbackRequest = new RollbackRequest
        {
            Target = target,
            TriggerType = RollbackTriggerType.IncidentEscalation,
            Severity = severity,
            Reason = $"PagerDuty incident {incident.Priority}: {incident.Title ?? incident.IncidentId}",
            RequestedBy = "pagerduty",
            DeduplicationKey = incident.IncidentId,
            Details = details,
            RequestedAt = timeProvider.GetUtcNow(),
        };

        var result = await dispatcher.DispatchAsync(rollbackRequest, cancellationToken).ConfigureAwait(false);
        Log.WebhookDispatched(logger, Name, target.Id, result.Status);
        metrics.Webhook(Name, "dispatched");
        return WebhookResults.Accepted(result);
    }

    private WebhookResponse Malformed(string problem)
    {
        Log.WebhookMalformed(logger, Name, problem);
        metrics.Webhook(Name, "malformed");
        return WebhookBody.BadRequest(problem);
    }

    private static WebhookResponse Ignored(string why) =>
        new(200, "{\"status\":\"ignored\",\"message\":" + JsonSerializer.Serialize(why, WebhookJsonContext.Default.String) + "}");

    private sealed class Incident
    {
        public required string EventType { get; init; }

        public required string IncidentId { get; init; }

        public string? Priority { get; init; }

        public string? ServiceId { get; init; }

        public string? Title { get; init; }

        public string? Number { get; init; }

        public string? HtmlUrl { get; init; }

        public static Incident? TryParse(JsonElement root, out string? error)
        {
            error = null;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var ev) || ev.ValueKind != JsonValueKind.Object)
            {
                error = "no 'event' object";
                return null;
            }

            var eventType = Str(ev, "event_type");
            if (eventType is null)
            {
                error = "no 'event.event_type'";
                return null;
            }

            if (!ev.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                error = "no 'event.data' object";
                return null;
            }

            var id = Str(data, "id");
            if (id is null)
            {
                error = "no 'event.data.id'";
                return null;
            }

            return new Incident
            {
                EventType = eventType,
                IncidentId = id,
                Priority = Obj(data, "priority") is { } p ? Str(p, "summary") : null,
                ServiceId = Obj(data, "service") is { } s ? Str(s, "id") : null,
                Title = Str(data, "title"),
                Number = data.TryGetProperty("number", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetRawText() : null,
                HtmlUrl = Str(data, "html_url"),
            };
        }

        private static string? Str(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static JsonElement? Obj(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;
    }
}
