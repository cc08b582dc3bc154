using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using RollbackKit.Approval;
using RollbackKit.AspNetCore.Tests.Infrastructure;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;
using RollbackKit.Triggers;
using static RollbackKit.AspNetCore.Tests.Infrastructure.WebhookRequests;

namespace RollbackKit.AspNetCore.Tests;

/// <summary>
/// Every webhook mapped by <c>MapRollbackKitWebhooks()</c>, through HTTP: an authorised request reaches the dispatcher
/// (or, for Slack, the approval gate); a forged or missing credential gets 401, a malformed body 400, a body over the
/// limit 413, and none of those acts on anything.
/// </summary>
public sealed class EndpointMatrixTests : IAsyncLifetime
{
    private WebhookServer _server = null!;

    public enum Credential
    {
        Valid,
        Forged,
        Missing,
    }

    public static TheoryData<string> Endpoints => new(WebhookServer.HandlerNames);

    public async Task InitializeAsync() => _server = await WebhookServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void RegisteredHandlers_AreExactlyTheOnesCoveredHere()
    {
        var names = _server.Services.GetServices<IInboundWebhookHandler>().Select(h => h.Name).Order(StringComparer.Ordinal);
        Assert.Equal(WebhookServer.HandlerNames, names);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_Authorised_ReachesTheDispatcherOrTheGate(string name)
    {
        using var response = await SendAsync(name, ValidBody(name), Credential.Valid);

        Assert.Equal(AcceptedStatus(name), response.StatusCode);
        await AssertActedOnAsync(name, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_ForgedCredential_Returns401AndActsOnNothing(string name)
    {
        using var response = await SendAsync(name, ValidBody(name), Credential.Forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"error\":", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertActedOnNothing();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_MissingCredential_Returns401AndActsOnNothing(string name)
    {
        using var response = await SendAsync(name, ValidBody(name), Credential.Missing);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertActedOnNothing();
    }

    [Theory]
    [InlineData("policy-breach", "{\"type\":\"policy.breach\",")]
    [InlineData("pagerduty", "{\"event\":")]
    [InlineData("pagerduty", """{"event":{"event_type":"incident.triggered","data":{}}}""")]
    [InlineData("alertmanager", "{\"alerts\":")]
    [InlineData("alertmanager", """{"version":"4","status":"firing"}""")]
    [InlineData("alertmanager", """{"version":"3","alerts":[]}""")]
    [InlineData("slack", "payload=%7B%22type%22")]
    [InlineData("slack", "token=abc")]
    public async Task Post_AuthorisedMalformedBody_Returns400AndActsOnNothing(string name, string body)
    {
        using var response = await SendAsync(name, body, Credential.Valid);

        await AssertProblemAsync(response);
        AssertActedOnNothing();
    }

    public static TheoryData<string, string> UndecodableBodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in WebhookServer.HandlerNames)
        {
            foreach (var kind in new[] { "invalid-utf8", "lone-surrogate", "bad-json" })
            {
                data.Add(name, kind);
            }
        }

        data.Add("slack", "invalid-utf8-percent-encoded");
        return data;
    }

    [Theory]
    [MemberData(nameof(UndecodableBodies))]
    public async Task Post_AuthorisedUndecodableBody_Returns400ProblemJsonAndActsOnNothing(string name, string kind)
    {
        var body = UndecodableBody(name, kind);

        using var response = await SendAsync(name, body, Credential.Valid);

        var problem = await AssertProblemAsync(response);
        Assert.DoesNotContain(PolicySecret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(PagerDutySecret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(SlackSigningSecret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(AlertmanagerToken, problem, StringComparison.Ordinal);
        AssertActedOnNothing();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_ForgedCredentialWithUndecodableBody_Returns401NotProblemDetails(string name)
    {
        using var response = await SendAsync(name, UndecodableBody(name, "invalid-utf8"), Credential.Forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertActedOnNothing();
    }

    /// <summary>A valid request body made undecodable: bytes C3 28, a lone surrogate escape, or truncated JSON.</summary>
    private static byte[] UndecodableBody(string name, string kind)
    {
        var utf8 = Encoding.UTF8;
        byte[] Join(params byte[][] parts) => [.. parts.SelectMany(static p => p)];
        if (name == "slack")
        {
            var json = SlackBlockActions(SlackApprover, "rollbackkit_approve", "appr-9", new Uri("http://127.0.0.1:9/actions/x"));
            return kind switch
            {
                "invalid-utf8" => Join(utf8.GetBytes("payload="), [0xC3, 0x28], utf8.GetBytes(Uri.EscapeDataString(json))),
                "invalid-utf8-percent-encoded" => utf8.GetBytes("payload=" + Uri.EscapeDataString("{\"x\":\"") + "%C3%28" + Uri.EscapeDataString("\"," + json[1..])),
                "lone-surrogate" => utf8.GetBytes(SlackFormBody("{\"x\":\"\\ud800\"," + json[1..])),
                "bad-json" => utf8.GetBytes(SlackFormBody(json[..^3])),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kind"),
            };
        }

        var valid = ValidBody(name);
        return kind switch
        {
            "invalid-utf8" => Join(utf8.GetBytes("{\"x\":\""), [0xC3, 0x28], utf8.GetBytes("\"," + valid[1..])),
            "lone-surrogate" => utf8.GetBytes("{\"x\":\"\\ud800\"," + valid[1..]),
            "bad-json" => utf8.GetBytes(valid[..^3]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kind"),
        };
    }

    /// <summary>Asserts an RFC 7807 answer: 400, <c>application/problem+json</c>, type/title/status/detail.</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = System.Text.Json.JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.Equal(400, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("detail").GetString()));
        return text;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_AuthorisedBodyExactlyAtTheLimit_IsAccepted(string name)
    {
        var body = PadTo(name, ValidBody(name), (int)DefaultLimit);
        Assert.Equal(DefaultLimit, Encoding.UTF8.GetByteCount(body));

        using var response = await SendAsync(name, body, Credential.Valid);

        Assert.Equal(AcceptedStatus(name), response.StatusCode);
        await AssertActedOnAsync(name, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_AuthorisedBodyOneByteOverTheLimit_Returns413AndActsOnNothing(string name)
    {
        var body = PadTo(name, ValidBody(name), (int)DefaultLimit + 1);

        using var response = await SendAsync(name, body, Credential.Valid);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        AssertActedOnNothing();
        Assert.Contains($"Webhook '{name}' request body over {DefaultLimit} bytes rejected (413)", _server.AllLogText(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Post_AuthorisedBodyOverTheLimitWithoutContentLength_Returns413AndActsOnNothing(string name)
    {
        var body = PadTo(name, ValidBody(name), (int)DefaultLimit + 1);

        using var response = await SendAsync(name, body, Credential.Valid, chunked: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertActedOnNothing();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Get_EveryWebhook_Returns405(string name)
    {
        using var response = await _server.Client.GetAsync("rollbackkit/" + name);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        AssertActedOnNothing();
    }

    [Theory]
    [InlineData("rollbackkit/nope")]
    [InlineData("ops/hooks/nope")]
    [InlineData("rollbackkit/policy-breach-v2")]
    public async Task Post_UnknownWebhookName_Returns404WithEmptyBody(string path)
    {
        using var response = await _server.Client.PostAsync(path, Json(PolicyBody, WebhookRequests.PolicySigned));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        AssertActedOnNothing();
    }

    [Theory]
    [InlineData("rollbackkit")]
    [InlineData("rollbackkit/policy-breach/extra")]
    [InlineData("policy-breach")]
    [InlineData("other/policy-breach")]
    public async Task Post_PathOutsideTheMappedRoutes_Returns404(string path)
    {
        using var response = await _server.Client.PostAsync(path, Json(PolicyBody, WebhookRequests.PolicySigned));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertActedOnNothing();
    }

    private static string ValidBody(string name) => name switch
    {
        "policy-breach" => PolicyBody,
        "pagerduty" => PagerDutyBody,
        "alertmanager" => AlertmanagerBody,
        "slack" => SlackApproveBody(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no request for this webhook"),
    };

    private static HttpStatusCode AcceptedStatus(string name) => name switch
    {
        "policy-breach" or "pagerduty" => HttpStatusCode.Accepted,
        _ => HttpStatusCode.OK,
    };

    /// <summary>Pads a valid body to exactly <paramref name="size"/> bytes, keeping it valid (JSON whitespace, an extra form field).</summary>
    private static string PadTo(string name, string body, int size)
    {
        var missing = size - Encoding.UTF8.GetByteCount(body);
        return name == "slack" ? body + "&pad=" + new string('x', missing - 5) : body + new string(' ', missing);
    }

    private Task<HttpResponseMessage> SendAsync(string name, string body, Credential credential, bool chunked = false) =>
        SendAsync(name, Encoding.UTF8.GetBytes(body), credential, chunked);

    private async Task<HttpResponseMessage> SendAsync(string name, byte[] body, Credential credential, bool chunked = false)
    {
        var contentType = name == "slack" ? "application/x-www-form-urlencoded" : "application/json";
        var headers = new List<(string, string)>();
        var secret = credential == Credential.Forged ? ForgedSecret : null;
        if (credential != Credential.Missing)
        {
            switch (name)
            {
                case "policy-breach":
                    var policyTimestamp = UnixSeconds(_server.Time.GetUtcNow());
                    headers.Add(("X-RollbackKit-Timestamp", policyTimestamp));
                    headers.Add(("X-RollbackKit-Signature", "sha256=" + Hmac(secret ?? PolicySecret, [.. Encoding.UTF8.GetBytes(policyTimestamp + "."), .. body])));
                    break;
                case "pagerduty":
                    headers.Add(("X-PagerDuty-Signature", "v1=" + Hmac(secret ?? PagerDutySecret, body)));
                    break;
                case "slack":
                    var timestamp = UnixSeconds(_server.Time.GetUtcNow());
                    headers.Add(("X-Slack-Request-Timestamp", timestamp));
                    headers.Add(("X-Slack-Signature", SlackSignature(secret ?? SlackSigningSecret, timestamp, body)));
                    break;
                case "alertmanager":
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(name), name, "no credential for this webhook");
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "rollbackkit/" + name);
        if (chunked)
        {
            var content = new StreamContent(new NonSeekableStream(body));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            foreach (var (key, value) in headers)
            {
                content.Headers.TryAddWithoutValidation(key, value);
            }

            request.Content = content;
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content = Content(body, contentType, [.. headers]);
        }

        if (name == "alertmanager" && credential != Credential.Missing)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (secret ?? AlertmanagerToken));
        }

        return await _server.Client.SendAsync(request);
    }

    private async Task AssertActedOnAsync(string name, string responseBody)
    {
        if (name == "slack")
        {
            Assert.Equal(("appr-9", ApprovalDecision.Approved), await _server.FirstDecision.WaitAsync(WebhookServer.WaitLimit));
            await _server.Gate.Received(1).DecideAsync("appr-9", ApprovalDecision.Approved, "roadrunner (slack:U2CERLKJA)", "via Slack", Arg.Any<CancellationToken>());
            Assert.Empty(_server.Dispatcher.Requests);
            return;
        }

        var request = Assert.Single(_server.Dispatcher.Requests);
        Assert.Equal("payments/checkout", request.Target.Id);
        switch (name)
        {
            case "policy-breach":
                Assert.Equal(RollbackTriggerType.PolicyBreach, request.TriggerType);
                Assert.Equal(RollbackSeverity.High, request.Severity);
                Assert.Equal("policy-breach:evt-7", request.DeduplicationKey);
                Assert.Equal("""{"status":"Started","rollbackId":"recorded-1","message":"recorded"}""", responseBody);
                break;
            case "pagerduty":
                Assert.Equal(RollbackTriggerType.IncidentEscalation, request.TriggerType);
                Assert.Equal(RollbackSeverity.Critical, request.Severity);
                Assert.Equal("QINC1", request.DeduplicationKey);
                Assert.Equal("pagerduty", request.RequestedBy);
                break;
            case "alertmanager":
                Assert.Equal(RollbackTriggerType.Alert, request.TriggerType);
                Assert.Equal(RollbackSeverity.Critical, request.Severity);
                Assert.Equal("f1", request.DeduplicationKey);
                Assert.Equal("""{"dispatched":1,"duplicates":0,"resolved":0,"unmatched":0,"ignored":0,"failed":0}""", responseBody);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "no expectation for this webhook");
        }
    }

    private void AssertActedOnNothing()
    {
        Assert.Empty(_server.Dispatcher.Requests);
        Assert.Empty(_server.Gate.ReceivedCalls());
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
