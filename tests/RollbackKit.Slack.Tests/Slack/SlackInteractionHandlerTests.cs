using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Notifications;
using RollbackKit.Webhooks;
using RollbackKit.Slack.Internal;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.Slack.Tests.Slack;

public sealed class SlackInteractionHandlerTests : IAsyncLifetime
{
    private const string DocumentedBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string DocumentedSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    private LoopbackReceiver _receiver = null!;
    private readonly IApprovalGate _gate = Substitute.For<IApprovalGate>();
    private readonly FakeTimeProvider _time = new(TestData.Now);

    public async Task InitializeAsync()
    {
        _receiver = await LoopbackReceiver.StartAsync();
        _gate.DecideAsync(default!, default, default!, default, default).ReturnsForAnyArgs(ValueTask.FromResult(true));
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private Uri ResponseUrl => _receiver.Url("actions/T1DC2JH3J/397700885554/RespUrlSecret");

    private ServiceProvider Host(Action<SlackOptions>? more = null) => TestHost.Build(
        b => b.AddSlack(o =>
        {
            o.BotToken = TestHost.BotToken;
            o.ApiBaseUrl = _receiver.Url("api/");
            o.Channel = "#mrp-rollback";
            o.SigningSecret = TestHost.SigningSecret;
            o.Approvers.Add("U2CERLKJA");
            o.Approvers.Add("S0APPROVERS");
            o.ResponseUrlHosts.Add("127.0.0.1");
            more?.Invoke(o);
        }),
        _time,
        s => s.AddSingleton(_gate));

    private static SlackInteractionHandler Handler(IServiceProvider sp) =>
        sp.GetServices<IInboundWebhookHandler>().OfType<SlackInteractionHandler>().Single();

    private static JsonElement ApprovalMessage() =>
        JsonDocument.Parse(SlackMessageBuilder.BuildMessage(TestData.Event(RollbackEventKind.AwaitingApproval, "rb-1"), "#mrp-rollback", null)).RootElement.Clone();

    [Fact]
    public void ComputeSlack_DocumentedExample_MatchesSlacksSignature()
    {
        var body = Encoding.UTF8.GetBytes(DocumentedBody);
        Assert.Equal(DocumentedSignature, Signatures.ComputeSlack(TestHost.SigningSecret, "1531420618", body));
        Assert.True(Signatures.VerifySlack(TestHost.SigningSecret, "1531420618", body, DocumentedSignature));
        Assert.False(Signatures.VerifySlack(TestHost.SigningSecret, "1531420619", body, DocumentedSignature));
        Assert.False(Signatures.VerifySlack("wrong-secret", "1531420618", body, DocumentedSignature));
    }

    [Fact]
    public async Task HandleAsync_DocumentedExampleAtItsTime_PassesSignatureCheck()
    {
        // The documented request is a slash command, not a button: it passes verification and is then ignored (200).
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1531420618 + 60));
        await using var sp = TestHost.Build(b => b.AddSlack(o => { o.WebhookUrl = _receiver.Url("hook"); o.SigningSecret = TestHost.SigningSecret; }), time, s => s.AddSingleton(_gate));
        var headers = new Dictionary<string, string> { ["x-slack-request-timestamp"] = "1531420618", ["X-SLACK-SIGNATURE"] = DocumentedSignature };
        var response = await Handler(sp).HandleAsync(new WebhookRequest(Encoding.UTF8.GetBytes(DocumentedBody), headers), CancellationToken.None);
        Assert.Equal(400, response.StatusCode); // Verified, but a slash command has no 'payload' field.

        var tampered = await Handler(sp).HandleAsync(new WebhookRequest(Encoding.UTF8.GetBytes(DocumentedBody.Replace("roadrunner", "coyote", StringComparison.Ordinal)), headers), CancellationToken.None);
        Assert.Equal(401, tampered.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_SignedApprove_ApprovesAsTheSlackUserAndUpdatesTheMessage()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var payload = SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", ResponseUrl, ApprovalMessage());

        var response = await handler.HandleAsync(SlackRequests.SignedRequest(payload, TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();

        Assert.Equal(200, response.StatusCode);
        await _gate.Received(1).DecideAsync("appr-rb-1", ApprovalDecision.Approved, "roadrunner (slack:U2CERLKJA)", Arg.Any<string?>(), Arg.Any<CancellationToken>());
        var update = Assert.Single(await _receiver.WaitForAsync(1));
        Assert.Equal("/actions/T1DC2JH3J/397700885554/RespUrlSecret", update.Path);
        var json = update.Json;
        Assert.True(json.GetProperty("replace_original").GetBoolean());
        var blocks = BlockKitAssert.ValidMessage(json);
        Assert.DoesNotContain(blocks, b => b.GetProperty("type").GetString() == "actions");
        Assert.Contains("Approved by <@U2CERLKJA>", BlockKitAssert.AllText(json), StringComparison.Ordinal);
        Assert.Contains("5.2 vs threshold 0.75", BlockKitAssert.AllText(json), StringComparison.Ordinal); // Original content kept.
    }

    [Fact]
    public async Task HandleAsync_SignedHold_RejectsAndSaysWhoHeld()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var payload = SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_hold", "appr-rb-1", ResponseUrl, ApprovalMessage());

        var response = await handler.HandleAsync(SlackRequests.SignedRequest(payload, TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();

        Assert.Equal(200, response.StatusCode);
        await _gate.Received(1).DecideAsync("appr-rb-1", ApprovalDecision.Rejected, Arg.Any<string>(), Arg.Any<string?>(), Arg.Any<CancellationToken>());
        Assert.Contains("Held by <@U2CERLKJA>", BlockKitAssert.AllText(Assert.Single(_receiver.Requests).Json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_DecisionStillRunning_AnswersImmediately()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate.DecideAsync(default!, default, default!, default, default).ReturnsForAnyArgs(_ => new ValueTask<bool>(release.Task));
        await using var sp = Host();
        var handler = Handler(sp);

        var response = await handler.HandleAsync(SlackRequests.SignedRequest(SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", ResponseUrl), TestData.Now), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Empty(_receiver.Requests);
        release.SetResult(true);
        await handler.WhenIdleAsync();
        Assert.Single(await _receiver.WaitForAsync(1));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    [InlineData(301)]
    public async Task HandleAsync_TimestampOutsideFiveMinutes_Returns401AndDecidesNothing(int offsetSeconds)
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var payload = SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", ResponseUrl);

        var response = await handler.HandleAsync(SlackRequests.SignedRequest(payload, TestData.Now.AddSeconds(offsetSeconds)), CancellationToken.None);
        await handler.WhenIdleAsync();

        Assert.Equal(401, response.StatusCode);
        await _gate.DidNotReceiveWithAnyArgs().DecideAsync(default!, default, default!, default, default);
        Assert.Contains("replay", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_TimestampWithinFiveMinutes_IsAccepted()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var response = await handler.HandleAsync(
            SlackRequests.SignedRequest(SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", ResponseUrl), TestData.Now.AddSeconds(-299)), CancellationToken.None);
        await handler.WhenIdleAsync();
        Assert.Equal(200, response.StatusCode);
        await _gate.ReceivedWithAnyArgs(1).DecideAsync(default!, default, default!, default, default);
    }

    [Fact]
    public async Task HandleAsync_TamperedBodyWrongSecretOrMissingHeaders_Returns401AndNeverLogsTheSecret()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var payload = SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", ResponseUrl);
        var good = SlackRequests.SignedRequest(payload, TestData.Now);

        var tamperedBody = Encoding.UTF8.GetBytes(SlackRequests.FormBody(payload.Replace("appr-rb-1", "appr-rb-2", StringComparison.Ordinal)));
        var tampered = new WebhookRequest(tamperedBody, good.Headers.ToDictionary());
        var wrongSecret = SlackRequests.SignedRequest(payload, TestData.Now, "another-secret");
        var noHeaders = new WebhookRequest(good.Body, new Dictionary<string, string>());
        var badSignatureFormat = new WebhookRequest(good.Body, new Dictionary<string, string>(good.Headers.ToDictionary()) { ["X-Slack-Signature"] = "sha256=abc" });

        foreach (var request in new[] { tampered, wrongSecret, noHeaders, badSignatureFormat })
        {
            Assert.Equal(401, (await handler.HandleAsync(request, CancellationToken.None)).StatusCode);
        }

        await handler.WhenIdleAsync();
        await _gate.DidNotReceiveWithAnyArgs().DecideAsync(default!, default, default!, default, default);
        Assert.Empty(_receiver.Requests);
        Assert.DoesNotContain(TestHost.SigningSecret, sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_UserNotAllowed_RepliesEphemeralAndChangesNothing()
    {
        await using var sp = Host();
        _receiver.Responder = r => r.Path.EndsWith("usergroups.users.list", StringComparison.Ordinal)
            ? new PlannedResponse(200, """{"ok":true,"users":["U0OTHER"]}""")
            : new PlannedResponse(200, "ok", "text/plain");
        var handler = Handler(sp);

        var response = await handler.HandleAsync(SlackRequests.SignedRequest(SlackRequests.BlockActions("U0MALLORY", "rollbackkit_approve", "appr-rb-1", ResponseUrl), TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();

        Assert.Equal(200, response.StatusCode);
        await _gate.DidNotReceiveWithAnyArgs().DecideAsync(default!, default, default!, default, default);
        var reply = Assert.Single(_receiver.Requests, r => r.Path.StartsWith("/actions/", StringComparison.Ordinal)).Json;
        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
        Assert.False(reply.GetProperty("replace_original").GetBoolean());
        Assert.Contains("not allowed", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_MemberOfApproverGroup_IsAllowed()
    {
        await using var sp = Host();
        _receiver.Responder = r => r.Path.EndsWith("usergroups.users.list", StringComparison.Ordinal)
            ? new PlannedResponse(200, """{"ok":true,"users":["U0OTHER","U0GROUPIE"]}""")
            : new PlannedResponse(200, "ok", "text/plain");
        var handler = Handler(sp);

        await handler.HandleAsync(SlackRequests.SignedRequest(SlackRequests.BlockActions("U0GROUPIE", "rollbackkit_approve", "appr-rb-1", ResponseUrl), TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();

        await _gate.Received(1).DecideAsync("appr-rb-1", ApprovalDecision.Approved, Arg.Is<string>(s => s.Contains("U0GROUPIE", StringComparison.Ordinal)), Arg.Any<string?>(), Arg.Any<CancellationToken>());
        var lookup = Assert.Single(_receiver.Requests, r => r.Path == "/api/usergroups.users.list");
        Assert.Equal("?usergroup=S0APPROVERS", lookup.Query);
        Assert.Equal("Bearer " + TestHost.BotToken, lookup.Header("Authorization"));
    }

    [Fact]
    public async Task HandleAsync_ApprovalNoLongerPending_RepliesEphemeral()
    {
        _gate.DecideAsync(default!, default, default!, default, default).ReturnsForAnyArgs(ValueTask.FromResult(false));
        await using var sp = Host();
        var handler = Handler(sp);

        await handler.HandleAsync(SlackRequests.SignedRequest(SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-old", ResponseUrl), TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();

        var reply = Assert.Single(_receiver.Requests).Json;
        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
        Assert.Contains("no longer waiting", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ResponseUrlOnAnotherHost_IsNotCalledAndChatUpdateIsUsedInstead()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var elsewhere = new Uri($"http://localhost:{TestHost.ClosedPort()}/actions/x");

        await handler.HandleAsync(SlackRequests.SignedRequest(SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", elsewhere, ApprovalMessage()), TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();

        await _gate.ReceivedWithAnyArgs(1).DecideAsync(default!, default, default!, default, default);
        Assert.Contains("response_url host localhost is not allowed", sp.AllLogText(), StringComparison.Ordinal);
        var update = Assert.Single(_receiver.Requests);
        Assert.Equal("/api/chat.update", update.Path);
        Assert.Equal("Bearer " + TestHost.BotToken, update.Header("Authorization"));
        var json = update.Json;
        Assert.Equal("CMRP", json.GetProperty("channel").GetString());
        Assert.Equal("1700000000.000002", json.GetProperty("ts").GetString());
        var blocks = BlockKitAssert.ValidMessage(json);
        Assert.DoesNotContain(blocks, b => b.GetProperty("type").GetString() == "actions");
        Assert.Contains("Approved by <@U2CERLKJA>", BlockKitAssert.AllText(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("payload=%7Bnot-json")]
    [InlineData("token=abc")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%7D")]
    public async Task HandleAsync_SignedButMalformed_Returns400(string body)
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(
            new WebhookRequest(Encoding.UTF8.GetBytes(body), SlackRequests.Headers(body, TestData.Now)), CancellationToken.None);
        Assert.Equal(400, response.StatusCode);
        await _gate.DidNotReceiveWithAnyArgs().DecideAsync(default!, default, default!, default, default);
    }

    [Fact]
    public async Task HandleAsync_OtherInteractionType_Returns200AndDoesNothing()
    {
        await using var sp = Host();
        var handler = Handler(sp);
        var response = await handler.HandleAsync(SlackRequests.SignedRequest("""{"type":"view_submission","user":{"id":"U2CERLKJA"}}""", TestData.Now), CancellationToken.None);
        await handler.WhenIdleAsync();
        Assert.Equal(200, response.StatusCode);
        await _gate.DidNotReceiveWithAnyArgs().DecideAsync(default!, default, default!, default, default);
    }

    [Theory]
    [InlineData("raw-invalid-utf8", "not valid UTF-8")]
    [InlineData("percent-encoded-invalid-utf8", "not valid UTF-8")]
    [InlineData("lone-surrogate", "lone UTF-16 surrogate")]
    [InlineData("bad-json", "not valid JSON")]
    public async Task HandleAsync_SignedUndecodablePayload_Returns400ProblemAndDecidesNothing(string kind, string expected)
    {
        await using var sp = Host();
        var json = SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", "appr-rb-1", ResponseUrl);
        byte[] body = kind switch
        {
            "raw-invalid-utf8" => [.. "payload="u8, 0xC3, 0x28, .. Encoding.UTF8.GetBytes(Uri.EscapeDataString(json))],
            "percent-encoded-invalid-utf8" => Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString("{\"x\":\"") + "%C3%28" + Uri.EscapeDataString("\"," + json[1..])),
            "lone-surrogate" => Encoding.UTF8.GetBytes(SlackRequests.FormBody("{\"x\":\"\\ud800\"," + json[1..])),
            _ => Encoding.UTF8.GetBytes(SlackRequests.FormBody(json[..^3])),
        };
        var ts = TestData.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(TestHost.SigningSecret), (byte[])[.. Encoding.UTF8.GetBytes($"v0:{ts}:"), .. body]));
        var headers = new Dictionary<string, string> { ["X-Slack-Request-Timestamp"] = ts, ["X-Slack-Signature"] = signature };

        var response = await Handler(sp).HandleAsync(new WebhookRequest(body, headers, "application/x-www-form-urlencoded"), CancellationToken.None);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(expected, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(TestHost.SigningSecret, response.Body, StringComparison.Ordinal);
        Assert.Empty(_gate.ReceivedCalls());
    }
}
