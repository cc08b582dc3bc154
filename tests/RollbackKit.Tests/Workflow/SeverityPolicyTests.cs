using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

public class SeverityPolicyTests
{
    [Fact]
    public async Task High_NoAcknowledgementWithinTimeout_ProceedsAndEscalatesToP0()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.AcknowledgementTimeout = TimeSpan.FromMinutes(15));
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.High));
        Assert.Equal(DispatchStatus.Started, result.Status);
        var awaiting = await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.NotNull(awaiting.ApprovalId);
        Assert.Equal(RollbackState.AwaitingApproval, h.Controller.GetStatus("app")!.State);

        h.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, h.StepRuns);
        h.Time.Advance(TimeSpan.FromMinutes(1));

        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(1, h.StepRuns);
        var escalation = await h.Notifier.WaitForAsync(RollbackEventKind.Escalated);
        Assert.Equal(RollbackSeverity.Critical, escalation.Severity);
        Assert.Contains("P0", escalation.Message, StringComparison.Ordinal);
        var audit = (await h.History.GetRollbacksAsync("app")).Single();
        Assert.Equal("timeout", audit.ApprovedBy);
    }

    [Fact]
    public async Task High_Acknowledged_ProceedsWithApprover()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.High));
        var awaiting = await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.True(await h.Gate.DecideAsync(awaiting.ApprovalId!, ApprovalDecision.Approved, "alice", "go"));
        Assert.False(await h.Gate.DecideAsync(awaiting.ApprovalId!, ApprovalDecision.Rejected, "bob"));

        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.DoesNotContain(h.Notifier.Events, e => e.Kind == RollbackEventKind.Escalated);
        var audit = (await h.History.GetRollbacksAsync("app")).Single();
        Assert.Equal("alice", audit.ApprovedBy);
        Assert.Equal("go", audit.ApprovalComment);
    }

    [Fact]
    public async Task High_Rejected_EndsRejectedWithoutPlaybook()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.High));
        var awaiting = await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.True(await h.Gate.DecideAsync(awaiting.ApprovalId!, ApprovalDecision.Rejected, "bob", "false positive"));

        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.Rejected, status.State);
        Assert.Equal(0, h.StepRuns);
        var rejected = await h.Notifier.WaitForAsync(RollbackEventKind.Rejected);
        Assert.Equal("bob", rejected.Actor);
        Assert.Contains("false positive", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Medium_DefaultPolicy_AlertOnly()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.Medium));
        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        await h.Notifier.WaitForAsync(RollbackEventKind.Alert);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task Medium_RequireApproval_NeverProceedsOnTimeout()
    {
        await using var h = WorkflowHarness.Create(o =>
        {
            o.Workflow.MediumSeverity = MediumSeverityPolicy.RequireApproval;
            o.Workflow.ApprovalTimeout = TimeSpan.FromHours(1);
        });
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.Medium));
        Assert.Equal(DispatchStatus.Started, result.Status);
        await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        h.Time.Advance(TimeSpan.FromHours(2));

        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.Rejected, status.State);
        Assert.Contains("not approved", status.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
        Assert.DoesNotContain(h.Notifier.Events, e => e.Kind is RollbackEventKind.Started or RollbackEventKind.Escalated);
    }

    [Fact]
    public async Task Medium_RequireApproval_ApprovedRuns()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.MediumSeverity = MediumSeverityPolicy.RequireApproval);
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.Medium));
        var awaiting = await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.Equal(awaiting.ApprovalId, h.Controller.GetStatus("app")!.ApprovalId);
        await h.Gate.DecideAsync(awaiting.ApprovalId!, ApprovalDecision.Approved, "dave");
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(result.RollbackId)).State);
        Assert.Equal(1, h.StepRuns);
    }

    [Fact]
    public async Task Manual_HighSeverityIgnored_RunsImmediately()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.High, type: RollbackTriggerType.Manual));
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(result.RollbackId)).State);
        Assert.DoesNotContain(h.Notifier.Events, e => e.Kind == RollbackEventKind.AwaitingApproval);
    }

    [Fact]
    public async Task RequestDuringApproval_JoinsPendingRollback()
    {
        await using var h = WorkflowHarness.Create();
        var first = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.High));
        await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        var second = await h.Dispatcher.DispatchAsync(h.Request(severity: RollbackSeverity.Critical, type: RollbackTriggerType.IncidentEscalation));
        Assert.Equal(DispatchStatus.Joined, second.Status);
        Assert.Equal(first.RollbackId, second.RollbackId);
        h.Time.Advance(TimeSpan.FromMinutes(15));
        await h.WaitAsync(first.RollbackId);
        Assert.Equal(1, h.StepRuns);
        var entries = await h.Journal.ReadAsync("app");
        Assert.Single(entries, e => e.Kind == JournalEntryKind.ApprovalDecided && e.Actor == "timeout");
    }
}

public class InMemoryApprovalGateTests
{
    [Fact]
    public async Task WaitAsync_DecidedBeforeTimeout_ReturnsDecision()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var gate = new InMemoryApprovalGate(time);
        var request = new ApprovalRequest("a1", new RollbackRequest { Target = new RollbackTarget("x"), TriggerType = RollbackTriggerType.Manual, Reason = "r" }, TimeSpan.FromMinutes(5));
        var wait = gate.WaitAsync(request, CancellationToken.None).AsTask();
        Assert.Single(gate.PendingRequests);
        Assert.False(await gate.DecideAsync("other", ApprovalDecision.Approved, "eve"));
        Assert.True(await gate.DecideAsync("a1", ApprovalDecision.Rejected, "eve", "hold"));
        var outcome = await wait.WaitAsync(WorkflowHarness.WaitLimit);
        Assert.Equal(new ApprovalOutcome(ApprovalDecision.Rejected, "eve", "hold"), outcome);
        Assert.Empty(gate.PendingRequests);
    }

    [Fact]
    public async Task WaitAsync_Timeout_ReturnsTimedOut()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var gate = new InMemoryApprovalGate(time);
        var request = new ApprovalRequest("a2", new RollbackRequest { Target = new RollbackTarget("x"), TriggerType = RollbackTriggerType.Manual, Reason = "r" }, TimeSpan.FromMinutes(5));
        var wait = gate.WaitAsync(request, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ApprovalDecision.TimedOut, (await wait.WaitAsync(WorkflowHarness.WaitLimit)).Decision);
        Assert.False(await gate.DecideAsync("a2", ApprovalDecision.Approved, "late"));
    }

    [Fact]
    public async Task DecideAsync_TimedOutDecision_Throws()
    {
        var gate = new InMemoryApprovalGate(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => gate.DecideAsync("a", ApprovalDecision.TimedOut, "x").AsTask());
    }
}
