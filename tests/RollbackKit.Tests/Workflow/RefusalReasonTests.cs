using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Journal;

namespace RollbackKit.Tests.Workflow;

/// <summary>Every request that does not start or join a rollback says why: in the result, the log and the journal, in the same words.</summary>
public class RefusalReasonTests
{
    [Fact]
    public async Task DispatchAsync_EveryRefusal_SameReasonInResultLogAndJournal()
    {
        await using var h = WorkflowHarness.Create(
            o =>
            {
                o.Workflow.Cooldown = TimeSpan.FromMinutes(10);
                o.Workflow.MaxAttemptsPerTarget = 1;
                o.Workflow.PointOfNoReturnTargets.Add("web");
            },
            s => s.AddLogging(b => b.AddFakeLogging()));
        var first = await h.Dispatcher.DispatchAsync(h.Request());
        await h.WaitAsync(first.RollbackId);
        h.Time.Advance(TimeSpan.FromMinutes(1));

        var answers = new List<(string Case, DispatchResult Result)>
        {
            ("cooldown", await h.Dispatcher.DispatchAsync(h.Request())),
            ("recently finished", await h.Controller.RollbackAsync("app", "again", "alice")),
            ("point of no return", await h.Dispatcher.DispatchAsync(h.Request("web"))),
        };
        h.Controller.SetAutoRollback("web", false);
        answers.Add(("kill switch", await h.Dispatcher.DispatchAsync(h.Request("web"))));
        await h.Dispatcher.DispatchAsync(h.Request("web", dedup: "fp-1", alertOnly: true));
        answers.Add(("duplicate", await h.Dispatcher.DispatchAsync(h.Request("web", dedup: "fp-1", alertOnly: true))));
        h.Time.Advance(TimeSpan.FromMinutes(10));
        answers.Add(("attempts", await h.Dispatcher.DispatchAsync(h.Request())));

        var logs = h.Services.GetFakeLogCollector().GetSnapshot();
        var journal = await h.Journal.ReadAsync();
        Assert.Equal(1, h.StepRuns);
        foreach (var (name, result) in answers)
        {
            Assert.True(result.Status is DispatchStatus.Refused or DispatchStatus.AlertRaised or DispatchStatus.Duplicate, $"{name}: {result.Status}");
            Assert.False(string.IsNullOrWhiteSpace(result.Message), name);
            Assert.True(logs.Any(l => l.Level >= LogLevel.Information && l.Message.Contains(result.Message!, StringComparison.Ordinal)), $"{name}: not logged: {result.Message}");
            Assert.True(journal.Any(e => e.Kind is JournalEntryKind.Refused or JournalEntryKind.Alert or JournalEntryKind.Duplicate && e.Message == result.Message), $"{name}: not journaled: {result.Message}");
        }
    }
}
