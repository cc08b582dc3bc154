using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RollbackKit.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Builds requests for each webhook the way its sender documents them: HMAC-SHA256 signatures computed here, independently
/// of the handlers' own code (policy breach <c>sha256=</c>, PagerDuty <c>v1=</c>, Slack <c>v0=</c> over
/// <c>v0:{timestamp}:{body}</c>), Alertmanager's bearer token.
/// </summary>
public static class WebhookRequests
{
    public const long DefaultLimit = 4096;
    public const string PolicySecret = "policy-secret";
    public const string PagerDutySecret = "pd-webhook-secret";
    public const string AlertmanagerToken = "am-token-0123456789";
    public const string SlackSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string SlackApprover = "U2CERLKJA";
    public const string ForgedSecret = "not-the-secret";

    public const string PolicyBody = """{"type":"policy.breach","target":"payments/checkout","policy":"no-critical-cves","severity":"P1","reason":"CVE-2026-0001 in image","id":"evt-7"}""";

    // Computed independently: python3 hmac.new(b"policy-secret", b"1795608000." + body, hashlib.sha256).hexdigest()
    public const string PolicySignature = "sha256=dd97475897bf0ef7933e1495ef61900b4653f2a453361a26b4e0ffaea44bb151";

    /// <summary>The timestamp <see cref="PolicySignature"/> covers: <see cref="Now"/> in Unix seconds.</summary>
    public const string PolicyTimestamp = "1795608000";

    /// <summary>The signed <see cref="PolicyBody"/> at <see cref="Now"/>: signature and timestamp headers.</summary>
    public static (string Name, string Value)[] PolicySigned => [("X-RollbackKit-Signature", PolicySignature), ("X-RollbackKit-Timestamp", PolicyTimestamp)];

    /// <summary>Policy-breach headers for <paramref name="body"/> sent at <paramref name="at"/> (default <see cref="Now"/>):
    /// <c>sha256=</c> HMAC-SHA256 of <c>{timestamp}.{body}</c>.</summary>
    public static (string Name, string Value)[] PolicyHeaders(string body, DateTimeOffset? at = null, string secret = PolicySecret)
    {
        var timestamp = UnixSeconds(at ?? Now);
        return [("X-RollbackKit-Signature", "sha256=" + Hmac(secret, timestamp + "." + body)), ("X-RollbackKit-Timestamp", timestamp)];
    }

    public const string PagerDutyBody = """{"event":{"id":"e1","event_type":"incident.triggered","data":{"id":"QINC1","title":"t","service":{"id":"PSVC01"},"priority":{"summary":"P0"}}}}""";

    public const string AlertmanagerBody = """{"version":"4","status":"firing","receiver":"rollbackkit","alerts":[{"status":"firing","labels":{"alertname":"CheckoutErrors","rollback":"true","namespace":"payments","name":"checkout","severity":"critical"},"annotations":{"summary":"errors"},"startsAt":"2026-11-25T12:00:00Z","fingerprint":"f1"}]}""";

    public static DateTimeOffset Now { get; } = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static string Hmac(string secret, string body) => Hmac(secret, Encoding.UTF8.GetBytes(body));

    public static string Hmac(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static ByteArrayContent Json(string body, params (string Name, string Value)[] headers) => Content(body, "application/json", headers);

    public static ByteArrayContent Content(string body, string contentType, params (string Name, string Value)[] headers) =>
        Content(Encoding.UTF8.GetBytes(body), contentType, headers);

    public static ByteArrayContent Content(byte[] body, string contentType, params (string Name, string Value)[] headers)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        foreach (var (name, value) in headers)
        {
            content.Headers.TryAddWithoutValidation(name, value);
        }

        return content;
    }

    /// <summary>Slack's documented signature: <c>v0=</c> HMAC-SHA256 of <c>v0:{timestamp}:{body}</c>.</summary>
    public static string SlackSignature(string secret, string timestamp, string body) => "v0=" + Hmac(secret, $"v0:{timestamp}:{body}");

    /// <summary>Slack's signature over raw bytes (which need not be valid UTF-8).</summary>
    public static string SlackSignature(string secret, string timestamp, byte[] body) =>
        "v0=" + Hmac(secret, [.. Encoding.UTF8.GetBytes($"v0:{timestamp}:"), .. body]);

    public static string UnixSeconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string SlackFormBody(string payloadJson) => "payload=" + Uri.EscapeDataString(payloadJson);

    /// <summary>A <c>block_actions</c> payload as Slack sends it when a rollback's Approve or Hold button is clicked.</summary>
    public static string SlackBlockActions(string userId, string actionId, string approvalId, Uri responseUrl, string userName = "roadrunner")
    {
        var payload = new Dictionary<string, object?>
        {
            ["type"] = "block_actions",
            ["user"] = new { id = userId, username = userName, name = userName, team_id = "T1DC2JH3J" },
            ["api_app_id"] = "A0KRD7HC3",
            ["token"] = "verification-token-unused",
            ["container"] = new { type = "message", message_ts = "1700000000.000002", channel_id = "CMRP", is_ephemeral = false },
            ["trigger_id"] = "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
            ["team"] = new { id = "T1DC2JH3J", domain = "testteamnow" },
            ["channel"] = new { id = "CMRP", name = "mrp-rollback" },
            ["message"] = new { type = "message", ts = "1700000000.000002", text = "[P1] Rollback awaiting approval: payments/checkout", blocks = Array.Empty<object>() },
            ["response_url"] = responseUrl.ToString(),
            ["actions"] = new[]
            {
                new { action_id = actionId, block_id = "rollbackkit_approval", text = new { type = "plain_text", text = "Approve rollback", emoji = true }, value = approvalId, style = "primary", type = "button", action_ts = "1548426417.840180" },
            },
        };
        return JsonSerializer.Serialize(payload);
    }

    /// <summary>The Slack approval click for <c>appr-9</c> by the configured approver.</summary>
    public static string SlackApproveBody() =>
        SlackFormBody(SlackBlockActions(SlackApprover, "rollbackkit_approve", "appr-9", new Uri("http://127.0.0.1:9/actions/x")));
}
