using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Groups;

/// <summary>A request on any member rolls the whole group back once: in order, with one approval and one notification thread.</summary>
public sealed class GroupRollbackTests
{
    [Theory]
    [InlineData(RollbackGroupOrder.Reverse, "web,app,db")]
    [InlineData(RollbackGroupOrder.Listed, "db,app,web")]
    public async Task DispatchAsync_RequestOnOneMember_RollsEveryMemberBackInOrder(RollbackGroupOrder order, string expected)
    {
        await using var h = GroupHarness.Create(order);
        var runs = GroupHarness.Record(h);

        var result = await h.Dispatcher.DispatchAsync(h.Request("app"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(DispatchStatus.Started, result.Status);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(GroupHarness.GroupId, status.TargetId);
        Assert.Equal(expected, string.Join(',', runs));
    }

    [Fact]
    public async Task DispatchAsync_ExplicitSequence_RollsBackInThatOrder()
    {
        await using var h = GroupHarness.Create(order: null, sequence: ["app", "db", "web"]);
        var runs = GroupHarness.Record(h);

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));
        await h.WaitAsync(result.RollbackId);

        Assert.Equal("app,db,web", string.Join(',', runs));
    }

    [Fact]
    public async Task DispatchAsync_Parallel_AllMembersRunAtOnce()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Parallel);
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var runs = GroupHarness.Record(h, async (_, ct) =>
        {
            if (Interlocked.Increment(ref started) == 3)
            {
                allStarted.TrySetResult();
            }

            // Each member's step waits until all three have started: only members run at the same time get past this.
            await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return StepResult.Success("ok");
        });

        var result = await h.Dispatcher.DispatchAsync(h.Request("db"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(["app", "db", "web"], runs.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DispatchAsync_MemberFails_StopsTheRestAndEscalates()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        var runs = GroupHarness.Record(h, (ctx, _) => ValueTask.FromResult(ctx.Target.Id == "app" ? StepResult.Failure("rollout stuck") : StepResult.Success("ok")));

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Equal("web,app", string.Join(',', runs)); // db never started
        Assert.Contains("Rollback of group stack failed at app", status.Message, StringComparison.Ordinal);
        Assert.Contains("rollout stuck", status.Message, StringComparison.Ordinal);
        Assert.Contains("not rolled back: db", status.Message, StringComparison.Ordinal);
        var escalation = await h.Notifier.WaitForAsync(RollbackEventKind.Escalated);
        Assert.Equal(result.RollbackId, escalation.RollbackId);
        Assert.Equal(RollbackSeverity.Critical, escalation.Severity);
        var audit = Assert.Single(await h.History.GetRollbacksAsync());
        Assert.Equal(["RolledBack", "Failed", "NotStarted"], audit.Group!.Members.Select(m => m.Outcome));
        Assert.Equal(["web", "app", "db"], audit.Group.Members.Select(m => m.TargetId));
        Assert.Equal("rollout stuck", Assert.Single(audit.Group.Members[1].Steps).Message);
        Assert.False(audit.Verification.Performed); // a failed playbook is not verified
    }

    [Fact]
    public async Task DispatchAsync_ParallelMemberFails_OthersFinishGroupFails()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Parallel);
        var runs = GroupHarness.Record(h, (ctx, _) => ValueTask.FromResult(ctx.Target.Id == "app" ? StepResult.Failure("rollout stuck") : StepResult.Success("ok")));

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Equal(3, runs.Count);
        var audit = Assert.Single(await h.History.GetRollbacksAsync());
        Assert.Equal(["Failed", "RolledBack", "RolledBack"], audit.Group!.Members.OrderBy(m => m.TargetId, StringComparer.Ordinal).Select(m => m.Outcome));
        var escalated = await h.Notifier.WaitForAsync(e => e.Kind == RollbackEventKind.Escalated && e.RollbackId == result.RollbackId);
        Assert.Equal(RollbackSeverity.Critical, escalated.Severity);
    }

    [Fact]
    public async Task DispatchAsync_HighSeverity_OneApprovalForTheWholeGroup()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        var runs = GroupHarness.Record(h);

        var result = await h.Dispatcher.DispatchAsync(h.Request("db", severity: RollbackSeverity.High));
        var question = await h.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.Empty(runs); // nothing runs before the approval
        Assert.True(await h.Gate.DecideAsync(question.ApprovalId!, ApprovalDecision.Approved, "alice"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal("web,app,db", string.Join(',', runs));
        Assert.Single(h.Notifier.Events, e => e.Kind == RollbackEventKind.AwaitingApproval);
        var entries = await h.Journal.ReadAsync();
        Assert.Single(entries, e => e.Kind == JournalEntryKind.ApprovalDecided && e.RollbackId == result.RollbackId);
        Assert.Equal("alice", Assert.Single(await h.History.GetRollbacksAsync()).ApprovedBy);
    }

    [Fact]
    public async Task DispatchAsync_Group_OneNotificationThreadForAllMembers()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Listed);

        var result = await h.Dispatcher.DispatchAsync(h.Request("app"));
        await h.WaitAsync(result.RollbackId);
        await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);

        var events = h.Notifier.Events;
        Assert.All(events, e => Assert.Equal(result.RollbackId, e.RollbackId));
        Assert.Single(events, e => e.Kind == RollbackEventKind.Fired);
        Assert.Single(events, e => e.Kind == RollbackEventKind.Succeeded);
        Assert.Equal(["db", "app", "web"], events.Where(e => e.Kind == RollbackEventKind.StepCompleted).Select(e => e.Target.Id));
        Assert.Equal(["db", "app", "web"], events.Where(e => e.Kind == RollbackEventKind.Started).Select(e => e.Target.Id));
    }

    [Fact]
    public async Task DispatchAsync_RequestOnOtherMemberWhileRunning_JoinsTheGroupRun()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GroupHarness.Record(h, async (_, ct) =>
        {
            running.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return StepResult.Success("ok");
        });

        var first = await h.Dispatcher.DispatchAsync(h.Request("app"));
        await running.Task.WaitAsync(WorkflowHarness.WaitLimit);
        var joined = await h.Dispatcher.DispatchAsync(h.Request("db", type: RollbackTriggerType.Alert, dedup: "fp-1"));
        var manual = await h.Controller.RollbackAsync("web", "web is down too", "bob");
        var statusOfMember = h.Controller.GetStatus("db");
        release.SetResult();
        var status = await h.WaitAsync(first.RollbackId);

        Assert.Equal(DispatchStatus.Joined, joined.Status);
        Assert.Equal(first.RollbackId, joined.RollbackId);
        Assert.Equal(DispatchStatus.Joined, manual.Status);
        Assert.Equal(first.RollbackId, manual.RollbackId);
        Assert.Equal(first.RollbackId, statusOfMember!.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(3, h.StepRuns);
        var audit = Assert.Single(await h.History.GetRollbacksAsync());
        Assert.Equal(2, audit.JoinedRequests);
    }

    [Fact]
    public async Task History_GroupRun_ShowsEveryMembersStepsAndVerification()
    {
        var probe = new RecordingProbe();
        await using var h = GroupHarness.Create(
            RollbackGroupOrder.Listed,
            o => o.Playbook = new PlaybookDefinition
            {
                Steps = [new PlaybookStepDefinition { Type = "test", Name = "undo" }, new PlaybookStepDefinition { Type = "test", Name = "check" }],
            },
            probe: probe);

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(["app", "db", "web"], probe.Probed.Order(StringComparer.Ordinal));
        foreach (var member in GroupHarness.Members)
        {
            // The group's run is in every member's history.
            var audit = Assert.Single(await h.History.GetRollbacksAsync(member));
            Assert.Equal(result.RollbackId, audit.RollbackId);
        }

        var record = Assert.Single(await h.History.GetRollbacksAsync(GroupHarness.GroupId));
        Assert.Equal(GroupHarness.GroupId, record.TargetId);
        Assert.Equal("web", record.Group!.RequestedFor);
        Assert.Equal("Listed", record.Group.Order);
        Assert.Equal(6, record.Execution.Steps.Count);
        Assert.All(record.Group.Members, m =>
        {
            Assert.Equal("RolledBack", m.Outcome);
            Assert.Equal(["undo", "check"], m.Steps.Select(s => s.Name));
            Assert.True(m.Verification!.Performed);
            Assert.True(m.Verification.Success);
        });
        Assert.True(record.Verification.Success);
        Assert.Equal(3, record.Verification.ChecksTotal);
        Assert.Contains("web: healthy in 1/1 checks", record.Verification.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_MemberUnhealthyAfterRollback_GroupFailsAndEscalates()
    {
        var probe = new RecordingProbe();
        probe.Unhealthy.Add("db");
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, probe: probe);

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Equal(3, h.StepRuns);
        var audit = Assert.Single(await h.History.GetRollbacksAsync("db"));
        Assert.Equal("Unhealthy", audit.Group!.Members.Single(m => m.TargetId == "db").Outcome);
        var escalated = await h.Notifier.WaitForAsync(e => e.Kind == RollbackEventKind.Escalated && e.RollbackId == result.RollbackId);
        Assert.Equal(RollbackSeverity.Critical, escalated.Severity);
    }

    [Fact]
    public async Task StepContext_GroupMembers_GetDistinctIdempotencyKeys()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Listed);
        var keys = new System.Collections.Concurrent.ConcurrentQueue<string>();
        GroupHarness.Record(h, (ctx, _) =>
        {
            keys.Enqueue(ctx.IdempotencyKey);
            return ValueTask.FromResult(StepResult.Success("ok"));
        });

        var result = await h.Dispatcher.DispatchAsync(h.Request("app"));
        await h.WaitAsync(result.RollbackId);

        Assert.Equal([$"{result.RollbackId}:db:0:1", $"{result.RollbackId}:app:0:1", $"{result.RollbackId}:web:0:1"], keys);
    }

    [Fact]
    public async Task RollbackAsync_GroupId_RollsTheGroupBack()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        var runs = GroupHarness.Record(h);

        var result = await h.Controller.RollbackAsync(GroupHarness.GroupId, "roll the stack back", "alice");
        var status = await h.WaitAsync(result.RollbackId);
        var again = await h.Controller.RollbackAsync("app", "app too", "bob");

        Assert.Equal(DispatchStatus.Started, result.Status);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal("web,app,db", string.Join(',', runs));
        Assert.Null(Assert.Single(await h.History.GetRollbacksAsync("db")).Group!.RequestedFor);
        Assert.Equal(DispatchStatus.Refused, again.Status); // answered with the group's rollback within the cooldown
        Assert.Equal(result.RollbackId, again.RollbackId);
    }
}
