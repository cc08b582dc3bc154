using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

/// <summary>A request that arrives after a rollback reached its final state but before it released the target.</summary>
public class FinishingRollbackTests
{
    /// <summary>Holds the <see cref="JournalEntryKind.Completed"/> record until released: the run is final but still holds the target.</summary>
    private sealed class HoldCompletedJournal : IRollbackJournal
    {
        private readonly InMemoryRollbackJournal _inner = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public async ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
        {
            if (entry.Kind == JournalEntryKind.Completed)
            {
                Holding.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            await _inner.AppendAsync(entry, cancellationToken);
        }

        public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(targetId, cancellationToken);
    }

    private static (WorkflowHarness Harness, HoldCompletedJournal Journal) Create()
    {
        var journal = new HoldCompletedJournal();
        return (WorkflowHarness.Create(services: s => s.AddSingleton<IRollbackJournal>(journal)), journal);
    }

    [Fact]
    public async Task DispatchAsync_ManualRequestWhileRollbackFinishing_AnsweredWithThatRollback()
    {
        var (h, journal) = Create();
        await using var _ = h;
        var first = await h.Dispatcher.DispatchAsync(h.Request());
        await journal.Holding.Task.WaitAsync(WorkflowHarness.WaitLimit);
        Assert.True(h.Controller.GetStatus("app")!.State.IsTerminal());

        var second = h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.Manual)).AsTask();
        journal.Release();
        var result = await second.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.Equal(DispatchStatus.Refused, result.Status);
        Assert.Equal(first.RollbackId, result.RollbackId);
        Assert.Contains("pass Force to run again", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.StepRuns);
        Assert.DoesNotContain(await journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Joined);
    }

    [Fact]
    public async Task DispatchAsync_ForcedManualRequestWhileRollbackFinishing_StartsNewRollback()
    {
        var (h, journal) = Create();
        await using var _ = h;
        var first = await h.Dispatcher.DispatchAsync(h.Request());
        await journal.Holding.Task.WaitAsync(WorkflowHarness.WaitLimit);

        var second = h.Controller.RollbackAsync("app", "again", "alice", force: true).AsTask();
        journal.Release();
        var result = await second.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.Equal(DispatchStatus.Started, result.Status);
        Assert.NotEqual(first.RollbackId, result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(result.RollbackId)).State);
        Assert.Equal(2, h.StepRuns);
        Assert.DoesNotContain(await journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Joined);
    }

    [Fact]
    public async Task DispatchAsync_AutomaticRequestWhileRollbackFinishing_RejectedByCooldown()
    {
        var (h, journal) = Create();
        await using var _ = h;
        var first = await h.Dispatcher.DispatchAsync(h.Request());
        await journal.Holding.Task.WaitAsync(WorkflowHarness.WaitLimit);

        var second = h.Dispatcher.DispatchAsync(h.Request()).AsTask();
        journal.Release();
        var result = await second.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.Equal(DispatchStatus.Refused, result.Status);
        Assert.Contains("cooldown", result.Message, StringComparison.Ordinal);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(first.RollbackId)).State);
        Assert.Equal(1, h.StepRuns);
        Assert.DoesNotContain(await journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Joined);
    }
}
