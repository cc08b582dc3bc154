using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;
using RollbackKit.PagerDuty.Internal;
using RollbackKit.PagerDuty.Tests.Infrastructure;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.PagerDuty.Tests;

public sealed class PagerDutyWebhookHandlerTests
{
    private const string Secret = "pd-webhook-secret";

    // Vector computed independently: python3 hmac.new(b"pd-webhook-secret", body, hashlib.sha256).hexdigest()
    private const string KnownBody = """{"event":{"id":"01DEN1HS8RJ9X5E5UZDZZC3CQ7","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-25T12:00:00.000Z","data":{"id":"Q2NDLS8NJ6A2DW","type":"incident","number":42,"title":"Checkout errors","service":{"id":"PSVC01","type":"service_reference","summary":"Checkout"},"priority":{"id":"PPRIO1","type":"priority_reference","summary":"P1"},"urgency":"high","status":"triggered"}}}""";
    private const string KnownSignature = "v1=a66a4bc62465332ae621c77a49edac195745b43e90736cd5d7149a8209f41938";

    private readonly RecordingRollbackDispatcher _dispatcher = new();

    private ServiceProvider Host(params string[] secrets) => TestHost.Build(
        b => b.AddPagerDuty(o =>
        {
            o.WebhookSecrets.AddRange(secrets.Length == 0 ? [Secret] : secrets);
            o.ServiceTargets["PSVC01"] = "payments/checkout";
            o.ServiceTargets["PSVC02"] = "not/configured";
        }),
        more: s => s.AddSingleton<IRollbackDispatcher>(_dispatcher));

    private static IInboundWebhookHandler Handler(IServiceProvider sp) =>
        sp.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "pagerduty");

    private static string Event(string type = "incident.triggered", string priority = "P1", string service = "PSVC01", string id = "Q2NDLS8NJ6A2DW") =>
        """{"event":{"id":"01DEN","event_type":"TYPE","resource_type":"incident","occurred_at":"2026-11-25T12:00:00.000Z","data":{"id":"ID","type":"incident","number":7,"title":"Checkout errors","html_url":"https://example.pagerduty.com/incidents/ID","service":{"id":"SERVICE","type":"service_reference","summary":"Checkout"},"priority":{"id":"PPRIO","type":"priority_reference","summary":"PRIORITY"}}}}"""
            .Replace("TYPE", type, StringComparison.Ordinal).Replace("ID", id, StringComparison.Ordinal)
            .Replace("SERVICE", service, StringComparison.Ordinal).Replace("PRIORITY", priority, StringComparison.Ordinal);

    private static WebhookRequest Signed(string body, string? header = null, string secret = Secret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var signature = header ?? "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), bytes));
        return new WebhookRequest(bytes, new Dictionary<string, string> { ["x-pagerduty-signature"] = signature }, "application/json");
    }

    [Fact]
    public void VerifyPagerDuty_KnownVector_MatchesAnyEntryAndAnySecret()
    {
        var body = Encoding.UTF8.GetBytes(KnownBody);
        Assert.True(PagerDutySignature.Verify([Secret], body, KnownSignature));
        Assert.True(PagerDutySignature.Verify([Secret], body, "v1=00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff," + KnownSignature));
        Assert.True(PagerDutySignature.Verify(["old-secret", Secret], body, KnownSignature));
        Assert.True(PagerDutySignature.Verify([Secret], body, KnownSignature.ToUpperInvariant().Replace("V1=", "v1=", StringComparison.Ordinal)));
        Assert.False(PagerDutySignature.Verify(["other"], body, KnownSignature));
        Assert.False(PagerDutySignature.Verify([Secret], Encoding.UTF8.GetBytes(KnownBody.Replace("P1", "P0", StringComparison.Ordinal)), KnownSignature));
        Assert.False(PagerDutySignature.Verify([Secret], body, KnownSignature[3..]));
        Assert.False(PagerDutySignature.Verify([Secret], body, null));
    }

    [Fact]
    public async Task HandleAsync_KnownVectorP1OnMappedService_DispatchesIncidentEscalation()
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(
            new WebhookRequest(Encoding.UTF8.GetBytes(KnownBody), new Dictionary<string, string> { ["X-PagerDuty-Signature"] = KnownSignature }), CancellationToken.None);

        Assert.Equal(202, response.StatusCode);
        Assert.Contains("\"status\":\"Started\"", response.Body, StringComparison.Ordinal);
        var request = Assert.Single(_dispatcher.Requests);
        Assert.Equal(RollbackTriggerType.IncidentEscalation, request.TriggerType);
        Assert.Equal(RollbackSeverity.High, request.Severity);
        Assert.Equal("Q2NDLS8NJ6A2DW", request.DeduplicationKey);
        Assert.Equal("payments/checkout", request.Target.Id);
        Assert.Equal("pagerduty", request.RequestedBy);
        Assert.Contains("Checkout errors", request.Reason, StringComparison.Ordinal);
        Assert.Equal("42", request.Details["pagerduty.incident_number"]);
        Assert.Equal(TestData.Now, request.RequestedAt);
    }

    [Theory]
    [InlineData("incident.escalated", "P0", RollbackSeverity.Critical)]
    [InlineData("incident.priority_updated", "P1", RollbackSeverity.High)]
    [InlineData("incident.triggered", "p0", RollbackSeverity.Critical)]
    public async Task HandleAsync_HandledEventTypes_DispatchWithThePrioritysSeverity(string type, string priority, RollbackSeverity severity)
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed(Event(type, priority)), CancellationToken.None);
        Assert.Equal(202, response.StatusCode);
        Assert.Equal(severity, Assert.Single(_dispatcher.Requests).Severity);
    }

    [Theory]
    [InlineData("incident.triggered", "P3", "PSVC01")]
    [InlineData("incident.priority_updated", "P2", "PSVC01")]
    [InlineData("incident.acknowledged", "P1", "PSVC01")]
    [InlineData("incident.triggered", "P1", "PUNMAPPED")]
    public async Task HandleAsync_LowPriorityOtherTypeOrUnmappedService_Returns200AndDispatchesNothing(string type, string priority, string service)
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed(Event(type, priority, service)), CancellationToken.None);
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("ignored", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_ServiceMappedToUnknownTarget_Returns422()
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed(Event(service: "PSVC02")), CancellationToken.None);
        Assert.Equal(422, response.StatusCode);
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_BadOrMissingSignature_Returns401AndNeverLogsTheSecret()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var body = Event();
        var responses = new[]
        {
            await handler.HandleAsync(Signed(body, secret: "wrong"), CancellationToken.None),
            await handler.HandleAsync(Signed(body, header: "v1=deadbeef"), CancellationToken.None),
            await handler.HandleAsync(new WebhookRequest(Encoding.UTF8.GetBytes(body), new Dictionary<string, string>()), CancellationToken.None),
            await handler.HandleAsync(new WebhookRequest(Encoding.UTF8.GetBytes(body + " "), Signed(body).Headers.ToDictionary()), CancellationToken.None),
        };

        Assert.All(responses, r => Assert.Equal(401, r.StatusCode));
        Assert.Empty(_dispatcher.Requests);
        Assert.DoesNotContain(Secret, sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RotatedSecrets_AcceptsEither()
    {
        await using var sp = Host("new-secret", Secret);
        Assert.Equal(202, (await Handler(sp).HandleAsync(Signed(Event()), CancellationToken.None)).StatusCode);
        Assert.Equal(202, (await Handler(sp).HandleAsync(Signed(Event(id: "Q2"), secret: "new-secret"), CancellationToken.None)).StatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("""{"event":{"event_type":"incident.triggered"}}""")]
    public async Task HandleAsync_SignedButMalformed_Returns400(string body)
    {
        await using var sp = Host();
        Assert.Equal(400, (await Handler(sp).HandleAsync(Signed(body), CancellationToken.None)).StatusCode);
        Assert.Empty(_dispatcher.Requests);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 }, "not valid UTF-8")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "lone UTF-16 surrogate")]
    public async Task HandleAsync_SignedUndecodableString_Returns400ProblemSayingWhat(byte[] inString, string expected)
    {
        await using var sp = Host();
        byte[] body = [.. "{\"x\":\""u8, .. inString, .. "\","u8, .. Encoding.UTF8.GetBytes(Event()).AsSpan(1)];
        var signature = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));

        var response = await Handler(sp).HandleAsync(
            new WebhookRequest(body, new Dictionary<string, string> { ["x-pagerduty-signature"] = signature }, "application/json"),
            CancellationToken.None);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(expected, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }
}
