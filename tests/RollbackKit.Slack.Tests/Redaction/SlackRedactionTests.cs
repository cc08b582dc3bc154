using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Redaction;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.Slack.Tests.Redaction;

/// <summary>Secrets in reasons, step output and Slack's own error answers never reach Slack or the logs.</summary>
public sealed class SlackRedactionTests : IAsyncLifetime
{
    private LoopbackReceiver _slack = null!;

    public async Task InitializeAsync() => _slack = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task Rollback_SecretsInReasonStepOutputAndSlackErrors_NotInPayloadsOrLogs()
    {
        // Slack refuses the first message with an error text that carries the secrets (the notifier logs it).
        var calls = 0;
        _slack.Responder = r => Interlocked.Increment(ref calls) == 1
            ? new PlannedResponse(200, JsonSerializer.Serialize(new { ok = false, error = "invalid_auth " + SecretLeaks.Text }))
            : null!; // the receiver's default answer
        await using var sp = TestHost.Build(b => b
            .AddSlack(o =>
            {
                o.BotToken = TestHost.BotToken;
                o.ApiBaseUrl = _slack.Url("api/");
                o.Channel = "#ops";
                o.SigningSecret = SecretLeaks.Configured;
                o.MinimumMessageInterval = TimeSpan.Zero;
            })
            .AddLeakyPlaybook());

        var status = await SecretLeaks.RollBackAsync(sp, TestData.Target(), TestData.Now);
        var requests = await _slack.WaitForAsync(r => r.Any(x => x.BodyText.Contains("Rollback failed", StringComparison.Ordinal)));

        Assert.Equal(RollbackState.RollbackFailed, status.State);
        var payloads = string.Join('\n', requests.Select(static r => r.BodyText));
        SecretLeaks.AssertAbsent(payloads);
        Assert.Contains("step output: kubectl --kube-token " + SecretRedactor.Mask, payloads, StringComparison.Ordinal);
        var logs = SecretLeaks.LogText(sp.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("invalid_auth kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
