using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RollbackKit.Approval;
using RollbackKit.Playbooks;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Workflow;

public class WorkflowMetricsTests
{
    [Fact]
    public async Task Rollbacks_RecordCountersAndHistogramsTaggedByTypeAndSeverity()
    {
        await using var h = WorkflowHarness.Create(
            o => o.Workflow.Cooldown = TimeSpan.Zero,
            s => s.AddMetrics());
        var factory = h.Services.GetRequiredService<IMeterFactory>();
        using var started = new MetricCollector<long>(factory, "RollbackKit", "rollbackkit.rollback.started");
        using var succeeded = new MetricCollector<long>(factory, "RollbackKit", "rollbackkit.rollback.succeeded");
        using var failed = new MetricCollector<long>(factory, "RollbackKit", "rollbackkit.rollback.failed");
        using var duration = new MetricCollector<double>(factory, "RollbackKit", "rollbackkit.rollback.duration");
        using var detection = new MetricCollector<double>(factory, "RollbackKit", "rollbackkit.detection.latency");
        using var approval = new MetricCollector<double>(factory, "RollbackKit", "rollbackkit.approval.wait");

        h.Step = (_, _) =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(42));
            return ValueTask.FromResult(StepResult.Success());
        };
        await h.WaitAsync((await h.Dispatcher.DispatchAsync(h.Request())).RollbackId);

        h.Step = (_, _) => ValueTask.FromResult(StepResult.Failure("boom", transient: false));
        var high = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.High));
        var awaiting = await h.Notifier.WaitForAsync(RollbackKit.Notifications.RollbackEventKind.AwaitingApproval);
        h.Time.Advance(TimeSpan.FromMinutes(3));
        await h.Gate.DecideAsync(awaiting.ApprovalId!, ApprovalDecision.Approved, "alice");
        await h.WaitAsync(high.RollbackId);

        Assert.Equal(2, started.GetMeasurementSnapshot().Count);
        var ok = Assert.Single(succeeded.GetMeasurementSnapshot());
        Assert.Equal("P0", ok.Tags[RollbackKitTags.Severity]);
        Assert.Equal("MetricTrigger", ok.Tags[RollbackKitTags.TriggerType]);
        Assert.Equal("P1", Assert.Single(failed.GetMeasurementSnapshot()).Tags[RollbackKitTags.Severity]);
        Assert.Contains(duration.GetMeasurementSnapshot(), m => m.Value == 42);
        Assert.Equal(180, Assert.Single(approval.GetMeasurementSnapshot()).Value);
        Assert.Contains(detection.GetMeasurementSnapshot(), m => m.Value == 180);
    }
}
