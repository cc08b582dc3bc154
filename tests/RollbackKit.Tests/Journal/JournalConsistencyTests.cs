using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Approval;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Journal;

/// <summary>Records that are valid one by one but tell a history the workflow never writes make the rollback need attention.</summary>
public sealed class JournalConsistencyTests : IDisposable
{
    private static readonly RollbackRequest Request = new() { Target = new RollbackTarget("app"), TriggerType = RollbackTriggerType.MetricTrigger, Reason = "r" };

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-consistency-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static JournalEntry Requested(string id) => new() { Kind = JournalEntryKind.Requested, RollbackId = id, TargetId = "app", State = RollbackState.RollbackPending, Request = Request };

    internal static JournalEntry To(string id, RollbackState state) => new() { Kind = JournalEntryKind.Transition, RollbackId = id, TargetId = "app", State = state };

    internal static JournalEntry Started(string id, int index) => new() { Kind = JournalEntryKind.StepStarted, RollbackId = id, TargetId = "app", Step = new StepRecord { Index = index, Name = "s" + index } };

    internal static JournalEntry Finished(string id, int index, bool succeeded = true) => new() { Kind = JournalEntryKind.StepCompleted, RollbackId = id, TargetId = "app", Step = new StepRecord { Index = index, Name = "s" + index, Succeeded = succeeded } };

    internal static JournalEntry Completed(string id, RollbackState state) => new() { Kind = JournalEntryKind.Completed, RollbackId = id, TargetId = "app", State = state };

    private static UnfinishedRollback Only(params JournalEntry[] entries) => Assert.Single(JournalReplay.FindUnfinished(entries));

    [Fact]
    public void FindUnfinished_TransitionNotAllowedFromPreviousState_Incomplete()
    {
        var run = Only(Requested("a"), To("a", RollbackState.Verifying));

        Assert.Contains("from RollbackPending to Verifying", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_StepFinishedWithoutStepStarted_Incomplete()
    {
        var run = Only(Requested("a"), To("a", RollbackState.RollingBack), Finished("a", 0));

        Assert.Contains("step 0 without a StepStarted", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_StepStartedOutsideRollingBack_Incomplete()
    {
        var run = Only(Requested("a"), To("a", RollbackState.AwaitingApproval), Started("a", 0));

        Assert.Contains("in state AwaitingApproval", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_StepIndexRepeatedOutOfOrder_Incomplete()
    {
        var run = Only(Requested("a"), To("a", RollbackState.RollingBack), Started("a", 0), Finished("a", 0, succeeded: false), Started("a", 1), Finished("a", 1), Started("a", 0));

        Assert.Contains("step 0 out of order", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_CompletedStepStartedAgain_Incomplete()
    {
        var run = Only(Requested("a"), To("a", RollbackState.RollingBack), Started("a", 0), Finished("a", 0), To("a", RollbackState.RollingBack), Started("a", 0));

        Assert.Contains("had already completed", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_SecondRequestedRecord_Incomplete()
    {
        var run = Only(Requested("a"), To("a", RollbackState.RollingBack), Requested("a"));

        Assert.Contains("second Requested", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_RecordsAfterTerminalState_ReportedIncomplete()
    {
        var run = Only(
            Requested("a"), To("a", RollbackState.RollingBack), Started("a", 0), Finished("a", 0), To("a", RollbackState.Verifying),
            To("a", RollbackState.RolledBack), Completed("a", RollbackState.RolledBack),
            Started("a", 1));

        Assert.Equal(RollbackState.RolledBack, run.State);
        Assert.Contains("after it ended in RolledBack", run.Incomplete, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnfinished_InconsistencyAnsweredByNeedsAttention_NotReportedAgain()
    {
        var entries = new[]
        {
            Requested("a"), To("a", RollbackState.RollingBack), To("a", RollbackState.Verifying), To("a", RollbackState.RolledBack), Completed("a", RollbackState.RolledBack),
            Started("a", 1),
            To("a", RollbackState.NeedsAttention), Completed("a", RollbackState.NeedsAttention),
        };

        Assert.Empty(JournalReplay.FindUnfinished(entries));

        // A further stray record after the answer is reported again.
        Assert.NotNull(Assert.Single(JournalReplay.FindUnfinished([.. entries, To("a", RollbackState.RollingBack)])).Incomplete);
    }

    [Fact]
    public void FindUnfinished_WhatTheWorkflowWritesOnResume_Consistent()
    {
        // Crash during step 1, resume (same-state re-entry), step 1 re-run after approval, crash again in verification.
        var run = Only(
            Requested("a"), To("a", RollbackState.AwaitingApproval),
            new JournalEntry { Kind = JournalEntryKind.ApprovalDecided, RollbackId = "a", TargetId = "app", Actor = "alice", Decision = ApprovalDecision.Approved },
            To("a", RollbackState.RollingBack), Started("a", 0), Finished("a", 0, succeeded: false), Started("a", 1),
            To("a", RollbackState.RollingBack), To("a", RollbackState.RollingBack), Started("a", 0), Finished("a", 0),
            new JournalEntry { Kind = JournalEntryKind.ApprovalDecided, RollbackId = "a", TargetId = "app", Actor = "bob", Decision = ApprovalDecision.Approved },
            Started("a", 1), Finished("a", 1), Started("a", 2),
            To("a", RollbackState.RollingBack), To("a", RollbackState.RollingBack), Finished("a", 2), To("a", RollbackState.Verifying),
            new JournalEntry { Kind = JournalEntryKind.NotifierState, RollbackId = "a", TargetId = "app", Actor = "slack" },
            new JournalEntry { Kind = JournalEntryKind.Joined, RollbackId = "a", TargetId = "app", Request = Request });

        Assert.Null(run.Incomplete);
        Assert.Equal(RollbackState.Verifying, run.State);
        Assert.Equal([0, 1, 2], run.CompletedSteps.Order());
        Assert.Empty(run.InterruptedSteps);

        // Pending re-entered on resume, and notifier or refusal records after the end, are what the workflow writes too.
        Assert.Null(Only(Requested("b"), To("b", RollbackState.RollbackPending), To("b", RollbackState.RollbackPending)).Incomplete);
        Assert.Empty(JournalReplay.FindUnfinished(
        [
            Requested("c"), To("c", RollbackState.RollingBack), To("c", RollbackState.RollbackFailed), Completed("c", RollbackState.RollbackFailed),
            new JournalEntry { Kind = JournalEntryKind.NotifierState, RollbackId = "c", TargetId = "app", Actor = "pagerduty" },
            new JournalEntry { Kind = JournalEntryKind.Refused, RollbackId = "c", TargetId = "app", Request = Request },
        ]));
    }

    [Fact]
    public async Task HostStart_RecordsAfterEnd_NeedsAttentionNotifiedInHistoryCountedOnce()
    {
        var path = Path.Combine(_dir, "journal.jsonl");
        Directory.CreateDirectory(_dir);
        var lines = new[]
        {
            Requested("done"), To("done", RollbackState.RollingBack), Started("done", 0), Finished("done", 0), To("done", RollbackState.Verifying),
            To("done", RollbackState.RolledBack), Completed("done", RollbackState.RolledBack),
            Started("done", 0), // a step of a finished rollback ran again: someone must look
            Requested("bad"), To("bad", RollbackState.Verifying), // unfinished, and a move the workflow never makes
        }.Select(e => System.Text.Json.JsonSerializer.Serialize(e, JournalJson.Options));
        await File.WriteAllLinesAsync(path, lines);

        await using (var host = Create(path))
        {
            using var counted = NeedsAttentionCounter(host);
            await host.StartHostedServicesAsync();

            foreach (var id in new[] { "done", "bad" })
            {
                var escalation = await host.Notifier.WaitForAsync(e => e.RollbackId == id && e.Kind == RollbackEventKind.Escalated);
                Assert.Contains("inconsistent journal history", escalation.Message, StringComparison.Ordinal);
            }

            Assert.Equal(RollbackState.NeedsAttention, (await host.Controller.WaitForCompletionAsync("bad").WaitAsync(WorkflowHarness.WaitLimit)).State);
            var history = await host.History.GetRollbacksAsync("app");
            Assert.Equal(RollbackState.NeedsAttention, history.Last(a => a.RollbackId == "done").State);
            Assert.Contains(history, a => a.RollbackId == "bad" && a.State == RollbackState.NeedsAttention && a.Outcome!.Contains("RollbackPending to Verifying", StringComparison.Ordinal));
            Assert.Equal(0, host.StepRuns);
            Assert.Equal(2, counted.GetMeasurementSnapshot().Sum(m => m.Value));
        }

        // The next start finds both answered: nothing reported again.
        await using var again = Create(path);
        using var countedAgain = NeedsAttentionCounter(again);
        await again.StartHostedServicesAsync();
        Assert.Empty(JournalReplay.FindUnfinished(await again.Journal.ReadAsync()));
        Assert.DoesNotContain(again.Notifier.Events, e => e.Kind == RollbackEventKind.Escalated);
        Assert.Empty(countedAgain.GetMeasurementSnapshot());
    }

    private static MetricCollector<long> NeedsAttentionCounter(WorkflowHarness host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), "RollbackKit", "rollbackkit.rollback.needs_attention");

    private static WorkflowHarness Create(string path) => WorkflowHarness.Create(
        services: s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance)));
}
