using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.AspNetCore.Tests.Infrastructure;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.AspNetCore.Tests;

public sealed class PolicyBreachWebhookHandlerTests
{
    private const string Secret = "policy-secret";
    private readonly RecordingRollbackDispatcher _dispatcher = new();

    private readonly FakeTimeProvider _time = new(WebhookRequests.Now);

    private ServiceProvider Host(string header = "X-RollbackKit-Signature") => TestServices.Build(
        b => b.AddPolicyBreachWebhook(o =>
        {
            o.Secret = Secret;
            o.SignatureHeader = header;
        }),
        _time,
        more: s => s.AddSingleton<IRollbackDispatcher>(_dispatcher));

    private static IInboundWebhookHandler Handler(IServiceProvider sp) => sp.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "policy-breach");

    private static WebhookRequest Signed(string body, string header = "X-RollbackKit-Signature", DateTimeOffset? at = null)
    {
        var timestamp = WebhookRequests.UnixSeconds(at ?? WebhookRequests.Now);
        return new(Encoding.UTF8.GetBytes(body), new Dictionary<string, string>
        {
            [header] = "sha256=" + WebhookRequests.Hmac(Secret, timestamp + "." + body),
            ["X-RollbackKit-Timestamp"] = timestamp,
        });
    }

    [Fact]
    public void Sign_KnownVector_MatchesIndependentComputation()
    {
        const string Body = """{"type":"policy.breach","target":"payments/checkout","policy":"no-critical-cves","severity":"P1","reason":"CVE-2026-0001 in image","id":"evt-7"}""";

        // python3: hmac.new(b"policy-secret", b"1795608000." + body, hashlib.sha256).hexdigest()
        const string Expected = "sha256=dd97475897bf0ef7933e1495ef61900b4653f2a453361a26b4e0ffaea44bb151";
        Assert.Equal(Expected, PolicyBreachWebhookHandler.Sign(Secret, "1795608000", Encoding.UTF8.GetBytes(Body)));
        Assert.True(PolicyBreachWebhookHandler.Verify(Secret, "1795608000", Encoding.UTF8.GetBytes(Body), Expected.ToUpperInvariant()));
        Assert.False(PolicyBreachWebhookHandler.Verify(Secret, "1795608001", Encoding.UTF8.GetBytes(Body), Expected));
        Assert.False(PolicyBreachWebhookHandler.Verify("other", "1795608000", Encoding.UTF8.GetBytes(Body), Expected));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86_400)]
    public async Task HandleAsync_TimestampOutsideFiveMinutes_Returns401WithReasonAndDispatchesNothing(int offsetSeconds)
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed(Body, at: WebhookRequests.Now.AddSeconds(offsetSeconds)), CancellationToken.None);

        Assert.Equal(401, response.StatusCode);
        Assert.Contains("timestamp", response.Body, StringComparison.Ordinal);
        Assert.Contains("5 minutes", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public async Task HandleAsync_TimestampInsideFiveMinutes_IsAccepted(int offsetSeconds)
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed(Body, at: WebhookRequests.Now.AddSeconds(offsetSeconds)), CancellationToken.None);

        Assert.Equal(202, response.StatusCode);
        Assert.Single(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_CapturedRequestReplayedSixMinutesLater_Returns401()
    {
        await using var sp = Host();
        var captured = Signed(Body);
        Assert.Equal(202, (await Handler(sp).HandleAsync(captured, CancellationToken.None)).StatusCode);

        _time.Advance(TimeSpan.FromMinutes(6));
        var replay = await Handler(sp).HandleAsync(captured, CancellationToken.None);

        Assert.Equal(401, replay.StatusCode);
        Assert.Contains("timestamp", replay.Body, StringComparison.Ordinal);
        Assert.Single(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_TimestampChangedWithoutResigning_Returns401()
    {
        await using var sp = Host();
        var old = Signed(Body, at: WebhookRequests.Now.AddMinutes(-10));
        var headers = old.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase);
        headers["X-RollbackKit-Timestamp"] = WebhookRequests.UnixSeconds(WebhookRequests.Now);

        var response = await Handler(sp).HandleAsync(new WebhookRequest(old.Body, headers), CancellationToken.None);

        Assert.Equal(401, response.StatusCode);
        Assert.Empty(_dispatcher.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("1795608000.5")]
    public async Task HandleAsync_MissingOrMalformedTimestamp_Returns401WithReason(string? timestamp)
    {
        await using var sp = Host();
        var headers = new Dictionary<string, string> { ["X-RollbackKit-Signature"] = "sha256=" + WebhookRequests.Hmac(Secret, Body) };
        if (timestamp is not null)
        {
            headers["X-RollbackKit-Timestamp"] = timestamp;
        }

        var response = await Handler(sp).HandleAsync(new WebhookRequest(Encoding.UTF8.GetBytes(Body), headers), CancellationToken.None);

        Assert.Equal(401, response.StatusCode);
        Assert.Contains("X-RollbackKit-Timestamp", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    private const string Body = """{"type":"policy.breach","target":"payments/checkout","policy":"p","id":"evt-1"}""";

    [Theory]
    [InlineData("""{"type":"policy.breach","labels":{"namespace":"payments","name":"checkout"},"policy":"p","severity":"P0"}""", RollbackSeverity.Critical)]
    [InlineData("""{"type":"policy.breach","target":{"name":"checkout"},"policy":"p","severity":"medium"}""", RollbackSeverity.Medium)]
    [InlineData("""{"type":"policy.breach","target":"payments/checkout","policy":"p"}""", RollbackSeverity.High)]
    public async Task HandleAsync_TargetByIdOrLabels_DispatchesPolicyBreachWithSeverity(string body, RollbackSeverity severity)
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed(body), CancellationToken.None);

        Assert.Equal(202, response.StatusCode);
        var request = Assert.Single(_dispatcher.Requests);
        Assert.Equal(RollbackTriggerType.PolicyBreach, request.TriggerType);
        Assert.Equal("payments/checkout", request.Target.Id);
        Assert.Equal(severity, request.Severity);
        Assert.Equal("policy-breach", request.RequestedBy);
        Assert.Null(request.DeduplicationKey);
    }

    [Fact]
    public async Task HandleAsync_UnknownTarget_Returns422AndDispatchesNothing()
    {
        await using var sp = Host();
        var response = await Handler(sp).HandleAsync(Signed("""{"type":"policy.breach","target":"nope/nope","policy":"p"}"""), CancellationToken.None);
        Assert.Equal(422, response.StatusCode);
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_ConfiguredHeaderName_IsUsed()
    {
        await using var sp = Host("X-Policy-Signature");
        const string Body = """{"type":"policy.breach","target":"payments/checkout","policy":"p"}""";
        Assert.Equal(401, (await Handler(sp).HandleAsync(Signed(Body), CancellationToken.None)).StatusCode);
        Assert.Equal(202, (await Handler(sp).HandleAsync(Signed(Body, "x-policy-signature"), CancellationToken.None)).StatusCode);
    }

    [Fact]
    public void Validation_MissingSecret_FailsNamingTheKeyPath()
    {
        using var sp = TestServices.Build(b => b.AddPolicyBreachWebhook());
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<RollbackKit.AspNetCore.PolicyBreachOptions>>().CurrentValue);
        Assert.Contains("RollbackKit:PolicyBreach:Secret must be set", ex.Message, StringComparison.Ordinal);
    }
}
