using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;

namespace RollbackKit.Tests.Workflow;

/// <summary>A dry-run fire is journaled with its trigger, target and measured values, and nothing else happens.</summary>
public class DryRunRecordTests
{
    private static TriggerEvidence Evidence(DateTimeOffset now) => new()
    {
        TriggerName = "error-rate",
        Condition = "canary_error_rate > baseline_error_rate * 1.5",
        Values = [new MeasuredValue("canary_error_rate", 5.2), new MeasuredValue("baseline_error_rate", 0.5)],
        Actual = 5.2,
        Threshold = 0.75,
        FirstFailedAt = now - TimeSpan.FromMinutes(5),
        DetectedAt = now,
        DryRun = true,
    };

    [Fact]
    public async Task DispatchAsync_DryRunFire_JournaledAsDryRunFiredAndNotActedOn()
    {
        await using var h = WorkflowHarness.Create();

        var result = await h.Dispatcher.DispatchAsync(h.Request(evidence: Evidence(h.Time.GetUtcNow())));

        Assert.Equal(DispatchStatus.DryRunRecorded, result.Status);
        Assert.Null(result.RollbackId);
        Assert.Contains("dry run", result.Message, StringComparison.Ordinal);
        var entry = Assert.Single(await h.Journal.ReadAsync("app"));
        Assert.Equal(JournalEntryKind.DryRunFired, entry.Kind);
        Assert.Equal("app", entry.TargetId);
        Assert.Equal("error-rate", entry.Actor);
        Assert.Equal(5.2, entry.Request!.Evidence!.Actual);
        Assert.Equal(0.75, entry.Request.Evidence.Threshold);
        Assert.Contains(entry.Request.Evidence.Values, v => v.Name == "canary_error_rate" && v.Value == 5.2);
        Assert.Equal(0, h.StepRuns);
        Assert.Null(h.Controller.GetStatus("app"));
        Assert.DoesNotContain(h.Notifier.Events, e => e.Kind == RollbackEventKind.Alert);

        // It counts as no attempt and starts no cooldown: a real fire right after still rolls back.
        var real = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(DispatchStatus.Started, real.Status);
    }
}
