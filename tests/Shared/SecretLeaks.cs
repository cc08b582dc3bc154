using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.TestSupport;

/// <summary>
/// Secrets of every kind the one redactor masks, planted by each package's redaction tests where they would reach a log line,
/// a logged exception or a notification payload.
/// </summary>
internal static class SecretLeaks
{
    /// <summary>A value the tests configure as a secret (a signing secret, a routing key, a token).</summary>
    public const string Configured = "cfg-webhook-secret-51f0";

    /// <summary>The value after <c>--kube-token</c>.</summary>
    public const string KubeToken = "kube-token-value-9c2e";

    /// <summary>The password of a URL's user-info.</summary>
    public const string UrlPassword = "url-password-7d41";

    /// <summary>The credential of an <c>Authorization: Bearer</c> header.</summary>
    public const string Bearer = "bearer-token-value-3b8a";

    /// <summary>All of them in one line, as a command line, an error body or an exception message would carry them.</summary>
    public const string Text =
        "kubectl --kube-token " + KubeToken + " via https://deployer:" + UrlPassword + "@k8s.example.internal/api; Authorization: Bearer " + Bearer + "; hook " + Configured;

    /// <summary>The planted values.</summary>
    public static readonly string[] All = [Configured, KubeToken, UrlPassword, Bearer];

    /// <summary>Contributes <see cref="Configured"/> to the redactor, as an adapter's configured secret would.</summary>
    public static readonly ISecretValueSource Source = new ConfiguredValue();

    /// <summary>Fails when any planted value is in <paramref name="text"/>.</summary>
    public static void AssertAbsent(string text)
    {
        foreach (var secret in All)
        {
            Xunit.Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything the logging providers saw: messages, structured values and exceptions (text and messages).</summary>
    public static string LogText(FakeLogCollector logs) =>
        string.Join('\n', logs.GetSnapshot().Select(static r =>
            $"{r.Message} {string.Join(' ', r.StructuredState?.Select(static kv => kv.Value) ?? [])} {r.Exception} {r.Exception?.Message} {r.Exception?.InnerException?.Message}"));

    /// <summary>Makes every target's playbook one step, <c>undo</c>, that fails with <see cref="Text"/> in its output.</summary>
    public static IRollbackKitBuilder AddLeakyPlaybook(this IRollbackKitBuilder builder)
    {
        builder.AddPlaybookStep("leaky", static (_, _) => ValueTask.FromResult(StepResult.Failure("step output: " + Text, transient: false)));
        builder.Services.PostConfigure<RollbackKitOptions>(static o =>
            o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "leaky", Name = "undo" }] });
        return builder;
    }

    /// <summary>Runs a manual rollback of <paramref name="target"/> whose reason and details carry <see cref="Text"/>; returns when it is done.</summary>
    public static async Task<RollbackStatus> RollBackAsync(IServiceProvider services, RollbackTarget target, DateTimeOffset now)
    {
        var result = await services.GetRequiredService<IRollbackDispatcher>().DispatchAsync(new RollbackRequest
        {
            Target = target,
            TriggerType = RollbackTriggerType.Manual,
            Severity = RollbackSeverity.Critical,
            Reason = "operator: " + Text,
            RequestedBy = "ops",
            RequestedAt = now,
            Details = new Dictionary<string, string> { ["command"] = Text },
        });
        Xunit.Assert.Equal(DispatchStatus.Started, result.Status);
        return await services.GetRequiredService<IRollbackController>().WaitForCompletionAsync(result.RollbackId!).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class ConfiguredValue : ISecretValueSource
    {
        public IEnumerable<string?> GetSecretValues() => [Configured];
    }
}
