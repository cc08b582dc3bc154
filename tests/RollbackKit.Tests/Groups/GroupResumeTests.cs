using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Groups;

/// <summary>A group's rollback interrupted by a restart resumes from the member and step it was in.</summary>
public sealed class GroupResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-group-resume-").FullName;

    private string JournalPath => Path.Combine(_dir, "journal.jsonl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private WorkflowHarness Create(RollbackGroupOrder order) => GroupHarness.Create(
        order,
        o => o.Playbook = new PlaybookDefinition
        {
            Steps = [new PlaybookStepDefinition { Type = "test", Name = "undo" }, new PlaybookStepDefinition { Type = "test", Name = "check" }],
        },
        journalPath: JournalPath);

    /// <summary>Starts the group's rollback (db, app, web) and stops the host while app's second step runs.</summary>
    private async Task<string> CrashInSecondMemberAsync(RollbackGroupOrder order)
    {
        var first = Create(order);
        var inAppCheck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GroupHarness.Record(first, async (ctx, ct) =>
        {
            if (ctx.Target.Id == "app" && ctx.StepIndex == 1)
            {
                inAppCheck.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return StepResult.Success("ok");
        });

        var result = await first.Dispatcher.DispatchAsync(first.Request("web"));
        Assert.Equal(DispatchStatus.Started, result.Status);
        await inAppCheck.Task.WaitAsync(WorkflowHarness.WaitLimit);
        if (order == RollbackGroupOrder.Parallel)
        {
            // The other members finish (their last step is journaled before it is notified) while app's check hangs.
            await first.Notifier.WaitForAsync(e => e is { Kind: RollbackEventKind.StepCompleted, StepName: "check" } && e.Target.Id == "db");
            await first.Notifier.WaitForAsync(e => e is { Kind: RollbackEventKind.StepCompleted, StepName: "check" } && e.Target.Id == "web");
        }

        await first.DisposeAsync();
        // Listed: db's undo and check, app's undo and check (interrupted); Parallel: web's two steps too.
        Assert.Equal(order == RollbackGroupOrder.Parallel ? 6 : 4, first.StepRuns);
        return result.RollbackId!;
    }

    [Fact]
    public async Task Restart_MidGroup_ResumesAtTheInterruptedMemberAndStep()
    {
        var rollbackId = await CrashInSecondMemberAsync(RollbackGroupOrder.Listed);
        var afterCrash = await new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance).ReadAsync();
        Assert.DoesNotContain(afterCrash, e => e.Kind == JournalEntryKind.Completed);
        var unfinished = Assert.Single(JournalReplay.FindUnfinished(afterCrash));
        Assert.Null(unfinished.Incomplete);
        Assert.Equal(GroupHarness.GroupId, unfinished.TargetId);
        Assert.Equal([0, 1], unfinished.Members["db"].CompletedSteps.Order());
        Assert.Equal([0], unfinished.Members["app"].CompletedSteps);
        Assert.Equal("check", unfinished.Members["app"].InterruptedSteps[1].Name);

        await using var second = Create(RollbackGroupOrder.Listed);
        var runs = GroupHarness.Record(second);
        await second.StartHostedServicesAsync();
        var question = await second.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.Equal(rollbackId, question.RollbackId);
        Assert.Equal("check", question.StepName);
        Assert.Contains("interrupted during step check", question.Message, StringComparison.Ordinal);
        Assert.Empty(runs); // nothing re-run without a decision
        Assert.True(await second.Gate.DecideAsync(question.ApprovalId!, ApprovalDecision.Approved, "alice"));
        var status = await second.WaitAsync(rollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.True(status.Resumed);
        Assert.Equal("app,web,web", string.Join(',', runs)); // app's check, then web; db is not run again
        var entries = await second.Journal.ReadAsync();
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        var audit = Assert.Single(entries, e => e.Kind == JournalEntryKind.Completed).Audit!;
        Assert.True(audit.Resumed);
        Assert.Equal(rollbackId, audit.RollbackId);
        Assert.Equal(["RolledBack", "RolledBack", "RolledBack"], audit.Group!.Members.Select(m => m.Outcome));
        Assert.Empty(JournalReplay.FindUnfinished(entries));
    }

    [Fact]
    public async Task Restart_MidParallelGroup_ResumesEveryUnfinishedMember()
    {
        var rollbackId = await CrashInSecondMemberAsync(RollbackGroupOrder.Parallel);
        var afterCrash = await new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance).ReadAsync();
        var unfinished = Assert.Single(JournalReplay.FindUnfinished(afterCrash));
        Assert.Null(unfinished.Incomplete);

        await using var second = Create(RollbackGroupOrder.Parallel);
        var runs = GroupHarness.Record(second);
        await second.StartHostedServicesAsync();
        await second.ApproveNextAsync();
        var status = await second.WaitAsync(rollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(["app"], runs.Distinct()); // db and web had finished before the restart
        Assert.Empty(JournalReplay.FindUnfinished(await second.Journal.ReadAsync()));
    }

    [Fact]
    public async Task Restart_GroupNoLongerConfigured_NeedsAttentionWithoutRunningAnything()
    {
        var rollbackId = await CrashInSecondMemberAsync(RollbackGroupOrder.Listed);

        await using var second = WorkflowHarness.Create(
            o => o.Targets.Add(new TargetDefinition { Id = "db", Labels = new() { ["name"] = "db" } }),
            s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance)));
        await second.StartHostedServicesAsync();
        var status = await second.WaitAsync(rollbackId);

        Assert.Equal(RollbackState.NeedsAttention, status.State);
        Assert.Contains("its group 'stack' is no longer configured", status.Message, StringComparison.Ordinal);
        Assert.Equal(0, second.StepRuns);
        Assert.Empty(JournalReplay.FindUnfinished(await second.Journal.ReadAsync()));
    }
}
