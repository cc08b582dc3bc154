using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Triggers;
using RollbackKit.Playbooks;
using RollbackKit.Testing;

namespace RollbackKit.Cli.Tests.Operations;

/// <summary>
/// A journal written by real rollbacks: RollbackKit's own dispatcher, workflow, playbook and verification on a test host (fake
/// time, steps recorded): shop/checkout rolled back automatically by the <c>error-rate-high</c> trigger, then shop/cart rolled
/// back by hand by alice. The journal is copied out before the host is disposed.
/// </summary>
internal static class RecordedJournal
{
    public const string AutomaticTarget = "shop/checkout";
    public const string ManualTarget = "shop/cart";
    public const string ManualReason = "bad config push";
    public const string ManualRequester = "alice";
    public const string TriggerName = "error-rate-high";

    public const string Settings = """
        {
          "RollbackKit": {
            "EvaluationInterval": "1s",
            "Targets": [ { "Id": "shop/checkout" }, { "Id": "shop/cart" } ],
            "Queries": [ { "Name": "error_rate", "Expression": "error_rate" } ],
            "Triggers": [ { "Name": "error-rate-high", "Condition": "error_rate > 5", "For": "2s", "Severity": "Critical" } ],
            "Playbook": {
              "Budget": "1m",
              "Steps": [
                { "Type": "rollout.undo", "Name": "undo rollout", "ExpectedDuration": "1s", "Timeout": "10s" },
                { "Type": "delay", "Name": "wait for rollout", "Settings": { "duration": "1s" }, "ExpectedDuration": "2s" }
              ]
            },
            "Workflow": { "VerificationWindow": "2s", "VerificationInterval": "1s" }
          }
        }
        """;

    /// <summary>When the recorded host's fake clock starts: two days ago, so that <c>--since 30d</c> includes the rollbacks and <c>--since 1d</c> does not.</summary>
    public static readonly DateTimeOffset Start = new(TimeProvider.System.GetUtcNow().UtcDateTime.Date.AddDays(-2), TimeSpan.Zero);

    private static readonly Lazy<Task<(string Path, string[] RollbackIds)>> s_journal = new(CreateAsync);

    /// <summary>Copies the recorded journal to <paramref name="path"/>; returns the rollback ids (automatic first).</summary>
    public static async Task<string[]> CopyToAsync(string path)
    {
        var (source, ids) = await s_journal.Value;
        File.Copy(source, path, overwrite: true);
        return ids;
    }

    private static async Task<(string Path, string[] RollbackIds)> CreateAsync()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Settings))).Build();
        await using var host = RollbackKitTestHost.FromConfiguration(
            configuration, rollbackKit => rollbackKit.AddRecordedSteps("rollout.undo"), start: Start);
        var undone = false;
        host.RespondToStep("rollout.undo", _ =>
        {
            undone = true;
            return StepResult.Success("v2 -> v1");
        });
        host.Source.Set("error_rate", 1, ManualTarget).Use("error_rate", (_, _) => undone ? 1 : 9, AutomaticTarget);

        await host.RunAsync(TimeSpan.FromSeconds(30));
        var manual = await host.Dispatcher.DispatchAsync(new RollbackRequest
        {
            Target = new RollbackTarget(ManualTarget),
            TriggerType = RollbackTriggerType.Manual,
            Severity = RollbackSeverity.Critical,
            Reason = ManualReason,
            RequestedBy = ManualRequester,
            RequestedAt = host.Time.GetUtcNow(),
        });
        await host.RunAsync(TimeSpan.FromSeconds(30));

        var rollbacks = host.Rollbacks;
        if (rollbacks.Count != 2 || rollbacks.Any(static r => r.State != RollbackState.RolledBack))
        {
            throw new InvalidOperationException(
                "expected two finished rollbacks, got: " + string.Join(", ", rollbacks.Select(static r => $"{r.Request.Target.Id} {r.State}")) + $" (manual: {manual.Status})");
        }

        var copy = Path.Combine(Path.GetTempPath(), "rbk-cli-journal-" + Guid.NewGuid().ToString("N")[..12] + ".jsonl");
        File.Copy(host.Options.Workflow.JournalPath, copy);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(copy);
        return (copy, [rollbacks.Single(static r => r.Request.Target.Id == AutomaticTarget).RollbackId, rollbacks.Single(static r => r.Request.Target.Id == ManualTarget).RollbackId]);
    }
}
