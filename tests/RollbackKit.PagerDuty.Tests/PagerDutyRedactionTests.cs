using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.PagerDuty.Tests.Infrastructure;
using RollbackKit.Redaction;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Webhooks;

namespace RollbackKit.PagerDuty.Tests;

/// <summary>Secrets in reasons, step output and inbound webhook fields never reach the Events API payload or the logs.</summary>
public sealed class PagerDutyRedactionTests : IAsyncLifetime
{
    private LoopbackReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Rollback_SecretsInReasonAndStepOutput_NotInTheIncidentPayload()
    {
        // A journal of its own: a rollback of the target in a shared journal would refuse this manual request (cooldown).
        var journal = Path.Combine(Path.GetTempPath(), "rbk-pd-redaction-" + Guid.NewGuid().ToString("N")[..12], "journal.jsonl");
        await using var sp = TestHost.Build(
            b => b
                .AddPagerDuty(o =>
                {
                    o.RoutingKey = "R0UT1NGKEY0000000000000000000000";
                    o.EventsApiBaseUrl = _receiver.BaseUrl;
                    o.WebhookSecrets.Add(SecretLeaks.Configured);
                })
                .AddLeakyPlaybook(),
            more: s => s.PostConfigure<RollbackKitOptions>(o => o.Workflow.JournalPath = journal));

        var status = await SecretLeaks.RollBackAsync(sp, TestData.Target(), TestData.Now);
        var requests = await _receiver.WaitForAsync(1);

        Assert.Equal(RollbackState.RollbackFailed, status.State);
        var payload = string.Join('\n', requests.Select(static r => r.BodyText));
        Assert.Contains("\"event_action\":\"trigger\"", payload, StringComparison.Ordinal);
        SecretLeaks.AssertAbsent(payload);
        Assert.Contains(SecretRedactor.Mask, payload, StringComparison.Ordinal);
        SecretLeaks.AssertAbsent(SecretLeaks.LogText(sp.GetFakeLogCollector()));
    }

    [Fact]
    public async Task Webhook_SecretsInTheIncidentPriority_NotInTheLog()
    {
        await using var sp = TestHost.Build(b => b.AddPagerDuty(o =>
        {
            o.WebhookSecrets.Add(SecretLeaks.Configured);
            o.ServiceTargets["PSVC01"] = "payments/checkout";
        }));
        var body = """{"event":{"id":"01DEN","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-25T12:00:00.000Z","data":{"id":"Q2NDLS8NJ6A2DW","type":"incident","number":7,"title":"Checkout errors","service":{"id":"PSVC01","type":"service_reference","summary":"Checkout"},"priority":{"id":"PPRIO","type":"priority_reference","summary":"P4 PRIORITY"}}}}"""
            .Replace("PRIORITY", SecretLeaks.Text, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(body);
        var signature = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SecretLeaks.Configured), bytes));
        var handler = sp.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "pagerduty");

        var response = await handler.HandleAsync(new WebhookRequest(bytes, new Dictionary<string, string> { ["x-pagerduty-signature"] = signature }, "application/json"), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("ignored", response.Body, StringComparison.Ordinal);
        var logs = SecretLeaks.LogText(sp.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("priority P4 kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
