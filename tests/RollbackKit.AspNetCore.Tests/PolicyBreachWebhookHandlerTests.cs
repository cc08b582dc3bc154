using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.AspNetCore.Tests.Infrastructure;
using RollbackKit.Dispatch;
using RollbackKit.Signals;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.AspNetCore.Tests;

public sealed class PolicyBreachWebhookHandlerTests
{
    private const string Secret = "policy-secret";
    private readonly RecordingRollbackDispatcher _dispatcher = new();

    private ServiceProvider Host(string header = "X-RollbackKit-Signature") => TestServices.Build(
        b => b.AddPolicyBreachWebhook(o =>
        {
            o.Secret = Secret;
            o.SignatureHeader = header;
        }),
        more: s => s.AddSingleton<IRollbackDispatcher>(_dispatcher));

    private static IInboundWebhookHandler Handler(IServiceProvider sp) => sp.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "policy-breach");

    private static WebhookRequest Signed(string body, string header = "X-RollbackKit-Signature") =>
        new(Encoding.UTF8.GetBytes(body), new Dictionary<string, string> { [header] = PolicyBreachWebhookHandler.Sign(Secret, Encoding.UTF8.GetBytes(body)) });

    [Fact]
    public void Sign_KnownVector_MatchesIndependentComputation()
    {
        const string Body = """{"type":"policy.breach","target":"payments/checkout","policy":"no-critical-cves","severity":"P1","reason":"CVE-2026-0001 in image","id":"evt-7"}""";
        Assert.Equal("sha256=2310a0a4da66f7db98cb6c40a8da71b5dbdc78088c5879c10288e74efec178ac", PolicyBreachWebhookHandler.Sign(Secret, Encoding.UTF8.GetBytes(Body)));
        Assert.True(PolicyBreachWebhookHandler.Verify(Secret, Encoding.UTF8.GetBytes(Body), "SHA256=2310A0A4DA66F7DB98CB6C40A8DA71B5DBDC78088C5879C10288E74EFEC178AC"));
        Assert.False(PolicyBreachWebhookHandler.Verify("other", Encoding.UTF8.GetBytes(Body), "sha256=2310a0a4da66f7db98cb6c40a8da71b5dbdc78088c5879c10288e74efec178ac"));
    }

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
