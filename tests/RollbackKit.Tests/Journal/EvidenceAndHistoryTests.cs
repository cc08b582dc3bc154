using System.IO.Compression;
using System.Text.Json;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Journal;

public sealed class EvidenceAndHistoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-evidence-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private TriggerEvidence Evidence(WorkflowHarness h) => new()
    {
        TriggerName = "error-rate",
        Condition = "error_rate > 0.75",
        Values = [new MeasuredValue("error_rate", 5.2), new MeasuredValue("baseline.error_rate", 0.4)],
        Actual = 5.2,
        Threshold = 0.75,
        FirstFailedAt = h.Time.GetUtcNow() - TimeSpan.FromMinutes(5),
        DetectedAt = h.Time.GetUtcNow(),
    };

    [Fact]
    public async Task Rollback_WritesEvidenceZipWithAuditDecisionStepsAndPostMortem()
    {
        await using var h = WorkflowHarness.Create(o =>
        {
            o.Workflow.EvidenceEnabled = true;
            o.Workflow.EvidenceDirectory = _dir;
        });
        h.Step = (ctx, _) =>
        {
            ctx.Evidence.Add("kubernetes/replicasets.json", "{\"items\":[]}");
            return ValueTask.FromResult(StepResult.Success("undone"));
        };
        var result = await h.Dispatcher.DispatchAsync(h.Request(evidence: Evidence(h)));
        var status = await h.WaitAsync(result.RollbackId);
        Assert.NotNull(status.EvidencePath);
        Assert.StartsWith(Path.GetFullPath(_dir), status.EvidencePath, StringComparison.Ordinal);

        using var zip = ZipFile.OpenRead(status.EvidencePath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("audit.json", names);
        Assert.Contains("decision.json", names);
        Assert.Contains("journal.jsonl", names);
        Assert.Contains("postmortem.md", names);
        Assert.Contains("kubernetes/replicasets.json", names);

        var audit = JsonSerializer.Deserialize<RollbackAuditRecord>(Read(zip, "audit.json"), JournalJson.Options)!;
        Assert.Equal(result.RollbackId, audit.RollbackId);
        Assert.Equal(RollbackState.RolledBack, audit.State);
        Assert.Equal("error-rate", audit.Trigger.TriggerName);
        Assert.Equal(5.2, audit.Trigger.ActualValue);
        Assert.Equal(0.75, audit.Trigger.Threshold);
        Assert.Equal("undone", Assert.Single(audit.Execution.Steps).Message);

        Assert.Contains("baseline.error_rate", Read(zip, "decision.json"), StringComparison.Ordinal);
        var postMortem = Read(zip, "postmortem.md");
        Assert.Contains("## Timeline", postMortem, StringComparison.Ordinal);
        Assert.Contains("| Time (UTC) | Event | Detail |", postMortem, StringComparison.Ordinal);
        Assert.Contains("## Impact (to fill)", postMortem, StringComparison.Ordinal);
        Assert.Contains("## Action items", postMortem, StringComparison.Ordinal);
        Assert.Contains("error_rate > 0.75", postMortem, StringComparison.Ordinal);
        Assert.Contains("RollingBack", postMortem, StringComparison.Ordinal);

        var succeeded = await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);
        Assert.Equal(status.EvidencePath, succeeded.EvidencePath);
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task History_RollbacksByTargetAndPeriod_StatisticsComputed()
    {
        await using var h = WorkflowHarness.Create(o =>
        {
            o.Workflow.Cooldown = TimeSpan.Zero;
            o.Workflow.MaxAttemptsPerTarget = 100;
        });
        var t0 = h.Time.GetUtcNow();

        // app: metric trigger, detected 5 minutes after first failing; the playbook takes 2 minutes.
        h.Step = (_, _) =>
        {
            h.Time.Advance(TimeSpan.FromMinutes(2));
            return ValueTask.FromResult(StepResult.Success());
        };
        await h.WaitAsync((await h.Dispatcher.DispatchAsync(h.Request(evidence: Evidence(h)))).RollbackId);
        h.Time.Advance(TimeSpan.FromMinutes(58));

        // app: playbook fails.
        h.Step = (_, _) => ValueTask.FromResult(StepResult.Failure("helm error", transient: false));
        await h.WaitAsync((await h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.Alert))).RollbackId);
        h.Step = (_, _) => ValueTask.FromResult(StepResult.Success());
        h.Time.Advance(TimeSpan.FromHours(1));

        // web: manual, succeeds.
        await h.WaitAsync((await h.Controller.RollbackAsync("web", "bad deploy", "alice")).RollbackId);

        var all = await h.History.GetRollbacksAsync();
        Assert.Equal(3, all.Count);
        Assert.Equal(2, (await h.History.GetRollbacksAsync("app")).Count);
        Assert.Single(await h.History.GetRollbacksAsync(since: t0 + TimeSpan.FromMinutes(30), until: t0 + TimeSpan.FromMinutes(90)));

        var stats = await h.History.GetStatisticsAsync();
        Assert.Equal(3, stats.Total);
        Assert.Equal(2, stats.Succeeded);
        Assert.Equal(1, stats.Failed);
        Assert.Equal(2.0 / 3, stats.SuccessRate!.Value, 6);
        Assert.Equal(1, stats.Causes["error-rate"]);
        Assert.Equal(1, stats.Causes["Alert"]);
        Assert.Equal(1, stats.Causes["Manual"]);
        Assert.Equal(TimeSpan.FromMinutes(5), stats.MeanTimeToDetect);
        Assert.Equal(TimeSpan.FromMinutes(1), stats.MeanTimeToRollback); // (2 min + 0 min) / 2 succeeded

        var appStats = await h.History.GetStatisticsAsync("app");
        Assert.Equal(0.5, appStats.SuccessRate);
    }

    [Fact]
    public async Task History_Empty_NoRates()
    {
        await using var h = WorkflowHarness.Create();
        var stats = await h.History.GetStatisticsAsync();
        Assert.Equal(0, stats.Total);
        Assert.Null(stats.SuccessRate);
        Assert.Null(stats.MeanTimeToDetect);
    }
}
