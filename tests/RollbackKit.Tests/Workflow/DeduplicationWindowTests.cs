using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

public class DeduplicationWindowTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private static WorkflowHarness Create() => WorkflowHarness.Create(o => o.Workflow.DeduplicationWindow = Window);

    [Fact]
    public async Task DispatchAsync_SameKeyWithinWindow_ReturnsDuplicateOfFirstRollback()
    {
        await using var h = Create();
        var first = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));
        Assert.Equal(DispatchStatus.Started, first.Status);
        await h.WaitAsync(first.RollbackId);

        h.Time.Advance(Window - TimeSpan.FromSeconds(1));
        var second = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));

        Assert.Equal(DispatchStatus.Duplicate, second.Status);
        Assert.Equal(first.RollbackId, second.RollbackId);
        Assert.Equal(1, h.StepRuns);
    }

    [Fact]
    public async Task DispatchAsync_SameKeyAfterWindow_IsTreatedAsNew()
    {
        await using var h = Create();
        var first = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));
        await h.WaitAsync(first.RollbackId);

        h.Time.Advance(Window);
        var second = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));

        Assert.Equal(DispatchStatus.Started, second.Status);
        Assert.NotEqual(first.RollbackId, second.RollbackId);
        await h.WaitAsync(second.RollbackId);
        Assert.Equal(2, h.StepRuns);

        // The key is remembered again from its new first sighting.
        var third = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));
        Assert.Equal(DispatchStatus.Duplicate, third.Status);
        Assert.Equal(second.RollbackId, third.RollbackId);
    }

    [Fact]
    public async Task DispatchAsync_AfterWindow_ExpiredKeysAreForgotten()
    {
        await using var h = Create();
        var dispatcher = h.Services.GetRequiredService<RollbackDispatcher>();
        for (var i = 0; i < 50; i++)
        {
            var result = await h.Dispatcher.DispatchAsync(h.Request(dedup: $"fp-{i}", alertOnly: true));
            Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        }

        Assert.Equal(50, dispatcher.DeduplicationKeyCount);

        h.Time.Advance(Window + TimeSpan.FromSeconds(1));
        await h.Dispatcher.DispatchAsync(h.Request(dedup: "fp-new", alertOnly: true));

        Assert.Equal(1, dispatcher.DeduplicationKeyCount);
    }

    [Fact]
    public async Task InitializeAsync_KeysOlderThanWindowInJournal_AreNotRemembered()
    {
        var journal = new InMemoryRollbackJournal();
        await using (var before = WorkflowHarness.Create(o => o.Workflow.DeduplicationWindow = Window, s => s.AddSingleton<IRollbackJournal>(journal)))
        {
            await before.Dispatcher.DispatchAsync(before.Request(dedup: "old", alertOnly: true));
            before.Time.Advance(Window - TimeSpan.FromMinutes(1));
            await before.Dispatcher.DispatchAsync(before.Request(dedup: "recent", alertOnly: true));
        }

        // A new process starts after "old" left the window but while "recent" is still within it.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero) + Window + TimeSpan.FromSeconds(1));
        await using var after = WorkflowHarness.Create(o => o.Workflow.DeduplicationWindow = Window, s => s.AddSingleton<IRollbackJournal>(journal), time);
        Assert.Equal(DispatchStatus.Duplicate, (await after.Dispatcher.DispatchAsync(after.Request(dedup: "recent", alertOnly: true))).Status);
        Assert.Equal(DispatchStatus.AlertRaised, (await after.Dispatcher.DispatchAsync(after.Request(dedup: "old", alertOnly: true))).Status);
    }
}
