using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Journal;

public class UnfinishedWorkflowTests
{
    private static readonly RollbackRequest Request = new() { Target = new RollbackTarget("app"), TriggerType = RollbackTriggerType.MetricTrigger, Reason = "r" };

    private static JournalEntry Requested(string id) => new() { Kind = JournalEntryKind.Requested, RollbackId = id, TargetId = "app", State = RollbackState.RollbackPending, Request = Request };

    private static JournalEntry To(string id, RollbackState state) => new() { Kind = JournalEntryKind.Transition, RollbackId = id, TargetId = "app", State = state };

    [Fact]
    public void FindUnfinished_ReportsLastStateCompletedStepsAndApproval()
    {
        var entries = new List<JournalEntry>
        {
            Requested("a"), To("a", RollbackState.AwaitingApproval),
            new() { Kind = JournalEntryKind.ApprovalDecided, RollbackId = "a", TargetId = "app", Actor = "alice", Decision = ApprovalDecision.Approved },
            To("a", RollbackState.RollingBack),
            new() { Kind = JournalEntryKind.StepCompleted, RollbackId = "a", TargetId = "app", Step = new StepRecord { Index = 0, Succeeded = true } },
            new() { Kind = JournalEntryKind.StepCompleted, RollbackId = "a", TargetId = "app", Step = new StepRecord { Index = 1, Succeeded = false } },
            Requested("b"), To("b", RollbackState.RollingBack), To("b", RollbackState.RolledBack),
            Requested("c"), To("c", RollbackState.AwaitingApproval),
            new() { Kind = JournalEntryKind.ApprovalDecided, RollbackId = "c", TargetId = "app", Actor = "bob", Decision = ApprovalDecision.Rejected },
            Requested("d"), To("d", RollbackState.Verifying), new() { Kind = JournalEntryKind.Completed, RollbackId = "d", TargetId = "app" },
        };

        var unfinished = JournalReplay.FindUnfinished(entries);

        Assert.Equal(["a", "c"], unfinished.Select(u => u.RollbackId));
        var a = unfinished[0];
        Assert.Equal(RollbackState.RollingBack, a.State);
        Assert.Equal("alice", a.ApprovedBy);
        Assert.Equal([0], a.CompletedSteps);
        var c = unfinished[1];
        Assert.Equal(RollbackState.AwaitingApproval, c.State);
        Assert.Null(c.ApprovedBy); // a rejection is never taken for an approval on resume
    }
}
