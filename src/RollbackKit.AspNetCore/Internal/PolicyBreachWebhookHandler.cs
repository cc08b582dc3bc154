using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;
using RollbackKit.Triggers;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>
/// Handles <c>policy.breach</c> events: <c>{"type":"policy.breach","target":"id" | {labels},"policy":"…","severity":"P1","reason":"…","id":"…"}</c>,
/// signed with <c>sha256=&lt;hex HMAC-SHA256 of "{timestamp}.{raw body}"&gt;</c> and sent within
/// <see cref="PolicyBreachOptions.SignatureTolerance"/> of that timestamp, into policy-breach rollback requests.
/// </summary>
internal sealed class PolicyBreachWebhookHandler(
    IRollbackDispatcher dispatcher,
    IRollbackTargetCatalog catalog,
    IOptionsMonitor<PolicyBreachOptions> options,
    TimeProvider timeProvider,
    ILogger<PolicyBreachWebhookHandler> logger) : IInboundWebhookHandler
{
    public string Name => "policy-breach";

    public async ValueTask<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.CurrentValue;
        if (string.IsNullOrEmpty(o.Secret))
        {
            Log.WebhookRejected(logger, Name, "no secret is configured");
            return Error(401, "invalid signature");
        }

        if (!request.Headers.TryGetValue(o.SignatureHeader, out var signature))
        {
            Log.WebhookRejected(logger, Name, "missing " + o.SignatureHeader);
            return Error(401, "invalid signature");
        }

        if (!request.Headers.TryGetValue(o.TimestampHeader, out var timestampText)
            || !long.TryParse(timestampText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds)
            || unixSeconds > 253_402_300_799)
        {
            var reason = $"missing or malformed {o.TimestampHeader} (Unix seconds)";
            Log.WebhookRejected(logger, Name, reason);
            return Error(401, reason);
        }

        var timestamp = timestampText.Trim();
        if (!Verify(o.Secret, timestamp, request.Body.Span, signature))
        {
            Log.WebhookRejected(logger, Name, "signature mismatch");
            return Error(401, "invalid signature");
        }

        var skew = timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        if (skew.Duration() > o.SignatureTolerance)
        {
            var reason = string.Create(
                CultureInfo.InvariantCulture,
                $"request timestamp is {(long)skew.Duration().TotalSeconds} s {(skew > TimeSpan.Zero ? "old" : "in the future")}, outside the allowed {Describe(o.SignatureTolerance)} (possible replay)");
            Log.WebhookRejected(logger, Name, reason);
            return Error(401, reason);
        }

        if (!WebhookBody.TryValidateJson(request.Body.Span, out var problem))
        {
            return Malformed(problem);
        }

        RollbackRequest rollbackRequest;
        try
        {
            using var doc = JsonDocument.Parse(request.Body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed("body is not a JSON object");
            }

            if (Str(root, "type") != "policy.breach")
            {
                return Malformed("'type' must be 'policy.breach'");
            }

            var policy = Str(root, "policy");
            if (string.IsNullOrWhiteSpace(policy))
            {
                return Malformed("'policy' is required");
            }

            var severity = RollbackSeverity.High;
            var severityText = Str(root, "severity");
            if (severityText is not null && !RollbackSeverityExtensions.TryParse(severityText, out severity))
            {
                return Malformed("'severity' must be P0, P1 or P2");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            RollbackTarget? target = null;
            if (root.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String)
            {
                catalog.TryGet(t.GetString()!, out target);
                labels["target"] = t.GetString()!;
            }
            else if (TryLabels(root, "target", labels) || TryLabels(root, "labels", labels))
            {
                catalog.TryMatch(labels, out target);
            }
            else
            {
                return Malformed("'target' (id or labels) or 'labels' is required");
            }

            if (target is null)
            {
                Log.WebhookRejected(logger, Name, "no configured target matches the event");
                return Error(422, "unknown target");
            }

            var id = Str(root, "id");
            var reason = Str(root, "reason");
            var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["policy"] = policy };
            if (id is not null)
            {
                details["policy.event_id"] = id;
            }

            rollbackRequest = new RollbackRequest
            {
                Target = target,
                TriggerType = RollbackTriggerType.PolicyBreach,
                Severity = severity,
                Reason = string.IsNullOrWhiteSpace(reason) ? $"Policy '{policy}' breached" : $"Policy '{policy}' breached: {reason}",
                RequestedBy = "policy-breach",
                DeduplicationKey = id is null ? null : "policy-breach:" + id,
                Details = details,
                RequestedAt = timeProvider.GetUtcNow(),
            };
        }
        catch (JsonException)
        {
            return Malformed("body is not JSON");
        }

        var result = await dispatcher.DispatchAsync(rollbackRequest, cancellationToken).ConfigureAwait(false);
        Log.WebhookDispatched(logger, Name, rollbackRequest.Target.Id, result.Status);
        return Accepted(result);
    }

    /// <summary>
    /// Checks <c>sha256=&lt;hex&gt;</c> against the HMAC-SHA256 of <c>{timestamp}.{body}</c> (the timestamp header's
    /// text, a dot, the raw body bytes), in constant time.
    /// </summary>
    internal static bool Verify(string secret, string timestamp, ReadOnlySpan<byte> body, string header)
    {
        const string Prefix = "sha256=";
        var value = header.Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var expectedHex = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)[Prefix.Length..]);
        var actualHex = Encoding.ASCII.GetBytes(value[Prefix.Length..].ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expectedHex, actualHex);
    }

    /// <summary>Computes the signature header value for <paramref name="body"/> sent with <paramref name="timestamp"/>.</summary>
    internal static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return "sha256=" + Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    private static string Describe(TimeSpan window) =>
        window.TotalSeconds % 60 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0.##} minutes")
            : string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0.##} seconds");

    private WebhookResponse Malformed(string reason)
    {
        Log.WebhookMalformed(logger, Name, reason);
        return WebhookBody.BadRequest(reason);
    }

    private static bool TryLabels(JsonElement root, string name, Dictionary<string, string> labels)
    {
        if (!root.TryGetProperty(name, out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.String)
            {
                labels[p.Name] = p.Value.GetString()!;
            }
        }

        return labels.Count > 0;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static WebhookResponse Error(int status, string message) => new(status, Json(w => w.WriteString("error", message)));

    private static WebhookResponse Accepted(DispatchResult result) => new(202, Json(w =>
    {
        w.WriteString("status", result.Status.ToString());
        if (result.RollbackId is not null)
        {
            w.WriteString("rollbackId", result.RollbackId);
        }

        if (result.Message is not null)
        {
            w.WriteString("message", result.Message);
        }
    }));

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
