using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RollbackKit.Webhooks;

namespace RollbackKit.Slack.Tests.Infrastructure;

/// <summary>Builds Slack interactivity requests, signed the way Slack documents it.</summary>
public static class SlackRequests
{
    public static string Sign(string secret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    public static string FormBody(string payloadJson) => "payload=" + Uri.EscapeDataString(payloadJson);

    public static Dictionary<string, string> Headers(string body, DateTimeOffset at, string secret = "8f742231b10e8888abcd99yyyzzz85a5")
    {
        var ts = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            ["X-Slack-Request-Timestamp"] = ts,
            ["X-Slack-Signature"] = Sign(secret, ts, body),
        };
    }

    public static WebhookRequest SignedRequest(string payloadJson, DateTimeOffset at, string secret = "8f742231b10e8888abcd99yyyzzz85a5")
    {
        var body = FormBody(payloadJson);
        return new WebhookRequest(Encoding.UTF8.GetBytes(body), Headers(body, at, secret), "application/x-www-form-urlencoded");
    }

    /// <summary>A <c>block_actions</c> payload as Slack sends it when a button of <paramref name="originalMessage"/> is clicked.</summary>
    public static string BlockActions(string userId, string actionId, string approvalId, Uri responseUrl, JsonElement? originalMessage = null, string userName = "roadrunner")
    {
        var blocks = originalMessage?.GetProperty("blocks") ?? JsonDocument.Parse("[]").RootElement;
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
            ["message"] = new { type = "message", ts = "1700000000.000002", text = "[P1] Rollback awaiting approval: payments/checkout", blocks },
            ["response_url"] = responseUrl.ToString(),
            ["actions"] = new[]
            {
                new { action_id = actionId, block_id = "rollbackkit_approval", text = new { type = "plain_text", text = "Approve rollback", emoji = true }, value = approvalId, style = "primary", type = "button", action_ts = "1548426417.840180" },
            },
        };
        return JsonSerializer.Serialize(payload);
    }
}
