using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Journal;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Redaction;

public sealed class RedactionEndToEndTests : IDisposable
{
    private const string SlackToken = "xoxb-1111-2222-configuredSlackToken";
    private const string PrometheusToken = "prom-bearer-7f3a9c";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-redaction-" + Guid.NewGuid().ToString("N"));

    private static readonly string[] s_secrets = ["s3cr3t", "hunter2", "pa55w0rd", SlackToken, PrometheusToken];

    public RedactionEndToEndTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private WorkflowHarness Create(Action<RollbackKitOptions>? configure = null) => WorkflowHarness.Create(
        o =>
        {
            o.Workflow.EvidenceEnabled = true;
            o.Workflow.EvidenceDirectory = Path.Combine(_dir, "evidence");
            configure?.Invoke(o);
        },
        services: s =>
        {
            s.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
            s.AddSingleton<IRollbackJournal>(sp => new FileRollbackJournal(Path.Combine(_dir, "journal.jsonl"), sp.GetRequiredService<ILogger<FileRollbackJournal>>()));
            s.AddSingleton<ISecretValueSource>(new Secrets(SlackToken, PrometheusToken));
        });

    [Fact]
    public async Task Rollback_CommandWithSecretArgumentsAndConfiguredTokenInMessage_NoSecretInEvidenceJournalOrLogs()
    {
        await using var h = Create(o => o.Playbook = new PlaybookDefinition
        {
            Steps =
            [
                new PlaybookStepDefinition
                {
                    Type = "command",
                    Name = "undo",
                    Timeout = TimeSpan.FromSeconds(30),
                    Arguments = ["/bin/echo", "undo", "--kube-token", "s3cr3t", "--password=hunter2", "--server", "https://admin:pa55w0rd@k8s.example.com:6443/api", "--timeout", "5m"],
                },
                new PlaybookStepDefinition { Type = "test", Name = "post", Timeout = TimeSpan.FromMinutes(1) },
            ],
        });
        h.Step = (_, _) => ValueTask.FromResult(StepResult.Failure("slack rejected token " + SlackToken + " for channel #ops", transient: false));

        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId);

        Assert.NotNull(status.EvidencePath);
        var evidence = ReadZip(status.EvidencePath);
        var journal = await File.ReadAllTextAsync(Path.Combine(_dir, "journal.jsonl"));
        var logs = string.Join('\n', h.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + string.Join(' ', r.StructuredState?.Select(s => s.Value) ?? [])));

        foreach (var secret in s_secrets)
        {
            Assert.DoesNotContain(secret, evidence, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, journal, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }

        // The non-secret parts stay readable.
        Assert.Contains("undo --kube-token *** --password=*** --server https://***@k8s.example.com:6443/api --timeout 5m", evidence, StringComparison.Ordinal);
        Assert.Contains("slack rejected token *** for channel #ops", journal, StringComparison.Ordinal);
        Assert.Contains("slack rejected token *** for channel #ops", evidence, StringComparison.Ordinal);
        Assert.Contains("slack rejected token *** for channel #ops", logs, StringComparison.Ordinal);
        Assert.Contains("k8s.example.com:6443", journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_PrometheusErrorTextWithConfiguredBearerToken_JournaledRedacted()
    {
        await using var h = Create();
        var template = h.Request(alertOnly: true);
        var request = new RollbackRequest
        {
            Target = template.Target,
            TriggerType = RollbackTriggerType.MetricTrigger,
            Severity = template.Severity,
            AlertOnly = true,
            RequestedBy = "error-rate",
            RequestedAt = template.RequestedAt,
            Reason = "error-rate: 3 consecutive measurement errors: prometheus answered 401 for query canary_error_rate: invalid token " + PrometheusToken + " (Authorization: Bearer " + PrometheusToken + ")",
        };

        await h.Dispatcher.DispatchAsync(request);

        var journal = await File.ReadAllTextAsync(Path.Combine(_dir, "journal.jsonl"));
        Assert.Contains("prometheus answered 401 for query canary_error_rate: invalid token ***", journal, StringComparison.Ordinal);
        Assert.DoesNotContain(PrometheusToken, journal, StringComparison.Ordinal);
        var logs = string.Join('\n', h.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message));
        Assert.Contains("invalid token ***", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(PrometheusToken, logs, StringComparison.Ordinal);
    }

    private static string ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var text = new System.Text.StringBuilder();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            text.Append("=== ").Append(entry.FullName).Append('\n').Append(reader.ReadToEnd()).Append('\n');
        }

        return text.ToString();
    }

    private sealed class Secrets(params string[] values) : ISecretValueSource
    {
        public IEnumerable<string?> GetSecretValues() => values;
    }
}
