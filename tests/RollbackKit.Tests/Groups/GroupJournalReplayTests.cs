using RollbackKit.Journal;

namespace RollbackKit.Tests.Groups;

/// <summary>The replay keeps a group's rollback under the group id and checks each member's steps on their own.</summary>
public sealed class GroupJournalReplayTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static JournalEntry Requested() => new()
    {
        Kind = JournalEntryKind.Requested,
        RollbackId = "rb-1",
        TargetId = "stack",
        State = RollbackState.RollbackPending,
        Timestamp = At,
        Request = new RollbackRequest { Target = new RollbackTarget("app"), TriggerType = RollbackTriggerType.Manual, Reason = "bad" },
    };

    private static JournalEntry Transition(string target, RollbackState state) =>
        new() { Kind = JournalEntryKind.Transition, RollbackId = "rb-1", TargetId = target, State = state, Timestamp = At };

    private static JournalEntry Step(JournalEntryKind kind, string target, int index, bool succeeded = true) =>
        new() { Kind = kind, RollbackId = "rb-1", TargetId = target, Timestamp = At, Step = new StepRecord { Index = index, Name = $"s{index}", Succeeded = succeeded } };

    [Fact]
    public void FindUnfinished_ParallelMembersInterleaved_ConsistentWithProgressPerMember()
    {
        JournalEntry[] entries =
        [
            Requested(),
            Transition("stack", RollbackState.RollingBack),
            Transition("app", RollbackState.RollingBack),
            Transition("web", RollbackState.RollingBack),
            Step(JournalEntryKind.StepStarted, "app", 0),
            Step(JournalEntryKind.StepStarted, "web", 0),
            Step(JournalEntryKind.StepCompleted, "web", 0),
            Step(JournalEntryKind.StepCompleted, "app", 0),
            Step(JournalEntryKind.StepStarted, "web", 1),
            Step(JournalEntryKind.StepStarted, "app", 1),
            Step(JournalEntryKind.StepCompleted, "web", 1),
        ];

        var unfinished = Assert.Single(JournalReplay.FindUnfinished(entries));

        Assert.Null(unfinished.Incomplete);
        Assert.Equal("stack", unfinished.TargetId);
        Assert.Equal("app", unfinished.Request.Target.Id);
        Assert.Empty(unfinished.CompletedSteps);
        Assert.Equal([0, 1], unfinished.Members["web"].CompletedSteps.Order());
        Assert.Equal([0], unfinished.Members["app"].CompletedSteps);
        Assert.Equal("s1", unfinished.Members["app"].InterruptedSteps[1].Name);
    }

    [Fact]
    public void FindUnfinished_MemberStepOutOfOrder_StillFlagged()
    {
        JournalEntry[] entries =
        [
            Requested(),
            Transition("stack", RollbackState.RollingBack),
            Transition("app", RollbackState.RollingBack),
            Step(JournalEntryKind.StepStarted, "app", 0),
            Step(JournalEntryKind.StepStarted, "app", 1),
        ];

        var unfinished = Assert.Single(JournalReplay.FindUnfinished(entries));

        Assert.Equal("StepStarted of step 1 while step 0 was still running", unfinished.Incomplete);
    }

    [Fact]
    public void FindUnfinished_SameIndexInTwoMembers_NotAlreadyCompleted()
    {
        JournalEntry[] entries =
        [
            Requested(),
            Transition("stack", RollbackState.RollingBack),
            Transition("web", RollbackState.RollingBack),
            Step(JournalEntryKind.StepStarted, "web", 0),
            Step(JournalEntryKind.StepCompleted, "web", 0),
            Transition("app", RollbackState.RollingBack),
            Step(JournalEntryKind.StepStarted, "app", 0),
        ];

        var unfinished = Assert.Single(JournalReplay.FindUnfinished(entries));

        Assert.Null(unfinished.Incomplete);
        Assert.Equal([0], unfinished.Members["web"].CompletedSteps);
        Assert.Empty(unfinished.Members["app"].CompletedSteps);
        Assert.True(unfinished.Members["app"].InterruptedSteps.ContainsKey(0));
    }
}
