using RollbackKit.Journal;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Journal;

public class JournalReplayTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static RollbackRequest Request(string target, RollbackTriggerType type = RollbackTriggerType.MetricTrigger, string? key = null) => new()
    {
        Target = new RollbackTarget(target),
        TriggerType = type,
        Reason = "r",
        DeduplicationKey = key,
    };

    private static JournalEntry Requested(string id, string target, TimeSpan ago, RollbackTriggerType type = RollbackTriggerType.MetricTrigger, string? key = null) => new()
    {
        Timestamp = Now - ago,
        Kind = JournalEntryKind.Requested,
        RollbackId = id,
        TargetId = target,
        State = RollbackState.RollbackPending,
        Request = Request(target, type, key),
    };

    private static JournalEntry Completed(string id, string target, TimeSpan ago, RollbackState state, RollbackTriggerType type = RollbackTriggerType.MetricTrigger) => new()
    {
        Timestamp = Now - ago,
        Kind = JournalEntryKind.Completed,
        RollbackId = id,
        TargetId = target,
        State = state,
        Audit = new RollbackAuditRecord
        {
            RollbackId = id,
            TargetId = target,
            State = state,
            Trigger = new TriggerRecord { Type = type, Reason = "r" },
            Execution = new ExecutionRecord(),
            Verification = new VerificationRecord(),
        },
    };

    [Fact]
    public void Replay_AutomaticAttemptsWithinWindow_ByTarget()
    {
        var entries = new[]
        {
            Requested("a", "app", TimeSpan.FromHours(30)),                           // outside the window
            Requested("b", "app", TimeSpan.FromHours(2)),
            Requested("c", "app", TimeSpan.FromHours(1), RollbackTriggerType.Manual), // manual: not an attempt
            Requested("d", "web", TimeSpan.FromMinutes(5)),
        };

        var replay = JournalReplay.Replay(entries, Now, TimeSpan.FromHours(24));

        Assert.Equal([Now - TimeSpan.FromHours(2)], replay.Attempts["app"]);
        Assert.Equal([Now - TimeSpan.FromMinutes(5)], replay.Attempts["web"]);
    }

    [Fact]
    public void Replay_LastAutomaticCompletionPerTarget_StartsCooldown()
    {
        var entries = new[]
        {
            Completed("a", "app", TimeSpan.FromHours(3), RollbackState.RolledBack),
            Completed("b", "app", TimeSpan.FromHours(2), RollbackState.RollbackFailed),
            Completed("c", "app", TimeSpan.FromHours(1), RollbackState.RolledBack, RollbackTriggerType.Manual),
            Completed("d", "web", TimeSpan.FromMinutes(1), RollbackState.Rejected),
        };

        var replay = JournalReplay.Replay(entries, Now, TimeSpan.FromHours(24));

        Assert.Equal(Now - TimeSpan.FromHours(2), replay.LastCompleted["app"]);
        Assert.False(replay.LastCompleted.ContainsKey("web")); // a rejection rolled nothing back
        Assert.Empty(replay.Unfinished);
    }

    [Fact]
    public void Replay_DeduplicationSightingsInJournalOrder_AndUnfinished()
    {
        var entries = new[]
        {
            Requested("a", "app", TimeSpan.FromMinutes(10), key: "fp-1"),
            new JournalEntry { Timestamp = Now - TimeSpan.FromMinutes(9), Kind = JournalEntryKind.Duplicate, RollbackId = "a", TargetId = "app", Request = Request("app", key: "fp-1") },
            new JournalEntry { Timestamp = Now - TimeSpan.FromMinutes(8), Kind = JournalEntryKind.Alert, TargetId = "web", Request = Request("web", key: "fp-2") },
        };

        var replay = JournalReplay.Replay(entries, Now, TimeSpan.FromHours(24));

        Assert.Equal(
            [new DeduplicationSighting("trigger/fp-1", "a", Now - TimeSpan.FromMinutes(10)), new DeduplicationSighting("trigger/fp-1", "a", Now - TimeSpan.FromMinutes(9)), new DeduplicationSighting("trigger/fp-2", null, Now - TimeSpan.FromMinutes(8))],
            replay.DeduplicationKeys);
        Assert.Equal("a", Assert.Single(replay.Unfinished).RollbackId);
    }
}
