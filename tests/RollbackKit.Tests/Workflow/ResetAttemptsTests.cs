using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Journal;

namespace RollbackKit.Tests.Workflow;

public sealed class ResetAttemptsTests
{
    private static WorkflowHarness Create(IRollbackJournal journal, DateTimeOffset? at = null) => WorkflowHarness.Create(
        o =>
        {
            o.Workflow.Cooldown = TimeSpan.FromMinutes(10);
            o.Workflow.MaxAttemptsPerTarget = 1;
            o.Workflow.AttemptWindow = TimeSpan.FromHours(1);
        },
        services: c => c.AddSingleton(journal),
        time: at is { } start ? new Microsoft.Extensions.Time.Testing.FakeTimeProvider(start) : null);

    [Fact]
    public async Task ResetAttempts_ThenRestart_FireWithinTheOldCooldownStarts()
    {
        var journal = new InMemoryRollbackJournal();
        DateTimeOffset now;
        await using (var first = Create(journal))
        {
            await first.WaitAsync((await first.Dispatcher.DispatchAsync(first.Request())).RollbackId);
            first.Time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(DispatchStatus.Refused, (await first.Dispatcher.DispatchAsync(first.Request())).Status);
            first.Controller.ResetAttempts("app");
            now = first.Time.GetUtcNow();
        }

        await using var second = Create(journal, now + TimeSpan.FromMinutes(1));
        var fire = await second.Dispatcher.DispatchAsync(second.Request());
        Assert.Equal(DispatchStatus.Started, fire.Status);
        await second.WaitAsync(fire.RollbackId);
    }

    [Fact]
    public async Task ResetAttempts_IsJournaledWithActorAndReason()
    {
        var journal = new InMemoryRollbackJournal();
        await using var h = Create(journal);
        h.Controller.ResetAttempts("app");

        var entries = await journal.ReadAsync("app");
        var reset = Assert.Single(entries, e => e.Kind == JournalEntryKind.AttemptsReset);
        Assert.Equal("controller", reset.Actor);
        Assert.False(string.IsNullOrWhiteSpace(reset.Message));
        Assert.Equal(h.Time.GetUtcNow(), reset.Timestamp);
    }

    [Fact]
    public async Task ResetAttempts_RecordsAfterTheReset_StillCountAfterRestart()
    {
        var journal = new InMemoryRollbackJournal();
        DateTimeOffset now;
        await using (var first = Create(journal))
        {
            first.Controller.ResetAttempts("app");
            first.Time.Advance(TimeSpan.FromMinutes(1));
            await first.WaitAsync((await first.Dispatcher.DispatchAsync(first.Request())).RollbackId);
            now = first.Time.GetUtcNow();
        }

        await using var second = Create(journal, now + TimeSpan.FromMinutes(1));
        Assert.Equal(DispatchStatus.Refused, (await second.Dispatcher.DispatchAsync(second.Request())).Status);
    }
}
