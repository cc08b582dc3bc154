using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NSubstitute;
using RollbackKit.Approval;
using RollbackKit.AspNetCore.Tests.Infrastructure;
using RollbackKit.Dispatch;

namespace RollbackKit.AspNetCore.Tests;

public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private const string PolicyBody = WebhookRequests.PolicyBody;

    private const string PolicySignature = WebhookRequests.PolicySignature;

    private WebhookServer _app = null!;

    public async Task InitializeAsync() => _app = await WebhookServer.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static ByteArrayContent Json(string body, params (string Name, string Value)[] headers) => WebhookRequests.Json(body, headers);

    private static string Hmac(string secret, string body) => WebhookRequests.Hmac(secret, body);

    [Fact]
    public async Task Post_PolicyBreachWithKnownSignature_Returns202AndDispatchesPolicyBreach()
    {
        using var response = await _app.Client.PostAsync("rollbackkit/policy-breach", Json(PolicyBody, ("x-rollbackkit-signature", PolicySignature), ("x-rollbackkit-timestamp", WebhookRequests.PolicyTimestamp)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("\"status\":\"Started\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var request = Assert.Single(_app.Dispatcher.Requests);
        Assert.Equal(RollbackTriggerType.PolicyBreach, request.TriggerType);
        Assert.Equal("payments/checkout", request.Target.Id);
        Assert.Equal("policy-breach:evt-7", request.DeduplicationKey);
        Assert.Contains("no-critical-cves", request.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_OtherPrefix_ReachesTheSameHandlers()
    {
        using var response = await _app.Client.PostAsync("ops/hooks/policy-breach", Json(PolicyBody, WebhookRequests.PolicySigned));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(_app.Dispatcher.Requests);
    }

    [Fact]
    public async Task Post_Requests_CountedByHandlerAndStatus()
    {
        using var collector = new MetricCollector<long>(_app.Services.GetRequiredService<IMeterFactory>(), "RollbackKit", "rollbackkit.webhook.requests");
        (await _app.Client.PostAsync("rollbackkit/nope", Json("{}"))).Dispose();
        (await _app.Client.PostAsync("rollbackkit/policy-breach", Json(PolicyBody, WebhookRequests.PolicySigned))).Dispose();

        var measurements = collector.GetMeasurementSnapshot().Select(m => ((string)m.Tags["handler"]!, (int)m.Tags["status"]!)).ToArray();
        Assert.Equal(new[] { ("unknown", 404), ("policy-breach", 202) }, measurements);
    }

    [Fact]
    public async Task Post_UnknownHandler_Returns404()
    {
        using var response = await _app.Client.PostAsync("rollbackkit/nope", Json("{}"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("unknown handler 'nope'", _app.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyOverTheLimitWithContentLength_Returns413AndActsOnNothing()
    {
        var body = PolicyBody + new string(' ', 5000);
        using var response = await _app.Client.PostAsync("rollbackkit/policy-breach", Json(body, WebhookRequests.PolicyHeaders(body)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_app.Dispatcher.Requests);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheLimit_Returns413()
    {
        var body = PolicyBody + new string(' ', 5000);
        using var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (header, value) in WebhookRequests.PolicyHeaders(body))
        {
            content.Headers.TryAddWithoutValidation(header, value);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "rollbackkit/policy-breach") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_app.Dispatcher.Requests);
    }

    [Fact]
    public async Task Post_BodyAtTheLimit_IsAccepted()
    {
        var body = PolicyBody + new string(' ', 4096 - Encoding.UTF8.GetByteCount(PolicyBody));
        using var response = await _app.Client.PostAsync("rollbackkit/policy-breach", Json(body, WebhookRequests.PolicyHeaders(body)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("policy-breach", "X-RollbackKit-Signature", "sha256=0000")]
    [InlineData("policy-breach", "X-Other", "sha256=0000")]
    [InlineData("pagerduty", "X-PagerDuty-Signature", "v1=0000")]
    [InlineData("slack", "X-Slack-Signature", "v0=0000")]
    public async Task Post_BadOrMissingSignature_Returns401AndLogsWithoutTheSecret(string name, string header, string value)
    {
        using var response = await _app.Client.PostAsync("rollbackkit/" + name, Json(PolicyBody, (header, value), ("X-Slack-Request-Timestamp", _app.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_app.Dispatcher.Requests);
        var logs = _app.AllLogText();
        Assert.Contains($"Webhook '{name}' rejected", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookRequests.PolicySecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookRequests.PagerDutySecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookRequests.SlackSigningSecret, logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\":\"policy.breach\",")]
    [InlineData("""{"type":"something.else","target":"payments/checkout","policy":"p"}""")]
    [InlineData("""{"type":"policy.breach","target":"payments/checkout"}""")]
    [InlineData("""{"type":"policy.breach","target":"payments/checkout","policy":"p","severity":"P9"}""")]
    public async Task Post_SignedMalformedPolicyBreach_Returns400(string body)
    {
        using var response = await _app.Client.PostAsync("rollbackkit/policy-breach", Json(body, WebhookRequests.PolicyHeaders(body)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_app.Dispatcher.Requests);
    }

    [Fact]
    public async Task Post_SignedMalformedPagerDuty_Returns400()
    {
        const string Body = "{\"event\":";
        using var response = await _app.Client.PostAsync("rollbackkit/pagerduty", Json(Body, ("X-PagerDuty-Signature", "v1=" + Hmac(WebhookRequests.PagerDutySecret, Body))));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Post_SignedPagerDutyIncident_Returns202()
    {
        const string Body = """{"event":{"id":"e1","event_type":"incident.triggered","data":{"id":"QINC1","title":"t","service":{"id":"PSVC01"},"priority":{"summary":"P0"}}}}""";
        using var response = await _app.Client.PostAsync("rollbackkit/pagerduty", Json(Body, ("x-pagerduty-signature", "v1=" + Hmac(WebhookRequests.PagerDutySecret, Body))));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("QINC1", Assert.Single(_app.Dispatcher.Requests).DeduplicationKey);
    }

    [Fact]
    public async Task Post_SignedSlackApprove_Returns200AndDecides()
    {
        var payload = WebhookRequests.SlackBlockActions("U2CERLKJA", "rollbackkit_approve", "appr-9", new Uri("http://127.0.0.1:9/actions/x"));
        var body = WebhookRequests.SlackFormBody(payload);
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        var timestamp = WebhookRequests.UnixSeconds(_app.Time.GetUtcNow());
        content.Headers.TryAddWithoutValidation("x-slack-request-timestamp", timestamp);
        content.Headers.TryAddWithoutValidation("x-slack-signature", WebhookRequests.SlackSignature(WebhookRequests.SlackSigningSecret, timestamp, body));

        using var response = await _app.Client.PostAsync("rollbackkit/slack", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.FirstDecision.WaitAsync(WebhookServer.WaitLimit); // the handler decides in the background, after answering 200
        await _app.Gate.Received(1).DecideAsync("appr-9", ApprovalDecision.Approved, Arg.Any<string>(), Arg.Any<string?>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Post_AlertmanagerHandlerFromAnotherPackage_IsMappedAndGetsTheHeaders()
    {
        const string Body = """{"version":"4","status":"firing","receiver":"rollbackkit","alerts":[{"status":"firing","labels":{"alertname":"CheckoutErrors","rollback":"true","namespace":"payments","name":"checkout","severity":"critical"},"annotations":{"summary":"errors"},"startsAt":"2026-11-25T12:00:00Z","fingerprint":"f1"}]}""";
        using (var unauthorized = await _app.Client.PostAsync("rollbackkit/alertmanager", Json(Body)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "rollbackkit/alertmanager") { Content = Json(Body) };
        request.Headers.TryAddWithoutValidation("authorization", "Bearer " + WebhookRequests.AlertmanagerToken);
        using var response = await _app.Client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        var dispatched = Assert.Single(_app.Dispatcher.Requests);
        Assert.Equal(RollbackTriggerType.Alert, dispatched.TriggerType);
        Assert.Equal("payments/checkout", dispatched.Target.Id);
    }

    [Fact]
    public async Task Get_WebhookRoute_IsNotMapped()
    {
        using var response = await _app.Client.GetAsync("rollbackkit/policy-breach");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
