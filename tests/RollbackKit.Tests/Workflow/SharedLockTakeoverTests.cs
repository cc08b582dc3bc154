using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

/// <summary>Two replicas sharing a lock (like a Kubernetes Lease) and a journal: the one that takes the lock finishes the other's work.</summary>
public class SharedLockTakeoverTests
{
    /// <summary>A lock shared by several dispatchers, with a way to make a holder lose it.</summary>
    private sealed class SharedLock : IRollbackLock
    {
        private readonly ConcurrentDictionary<string, Handle> _held = new();

        public ValueTask<IRollbackLockHandle?> TryAcquireAsync(string targetId, CancellationToken cancellationToken = default)
        {
            var handle = new Handle(this, targetId);
            return ValueTask.FromResult<IRollbackLockHandle?>(_held.TryAdd(targetId, handle) ? handle : null);
        }

        /// <summary>Simulates a lease that expired: the holder is told, and the lock is free for others.</summary>
        public void Expire(string targetId)
        {
            if (_held.TryRemove(targetId, out var handle))
            {
                handle.Lost.Cancel();
            }
        }

        private sealed class Handle(SharedLock owner, string targetId) : IRollbackLockHandle
        {
            public CancellationTokenSource Lost { get; } = new();

            public string TargetId => targetId;

            public CancellationToken LockLost => Lost.Token;

            public ValueTask DisposeAsync()
            {
                owner._held.TryRemove(new KeyValuePair<string, Handle>(targetId, this));
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task LockLost_OtherReplicaAcquires_ResumesUnfinishedWorkflow()
    {
        var sharedLock = new SharedLock();
        var journal = new InMemoryRollbackJournal();
        void Shared(IServiceCollection s)
        {
            s.AddSingleton<IRollbackLock>(sharedLock);
            s.AddSingleton<IRollbackJournal>(journal);
        }

        await using var a = WorkflowHarness.Create(services: Shared);
        await using var b = WorkflowHarness.Create(services: Shared);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Step = async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Success();
        };

        var started = await a.Dispatcher.DispatchAsync(a.Request());
        await entered.Task.WaitAsync(WorkflowHarness.WaitLimit);

        // While A holds the lock, B only joins.
        var whileHeld = await b.Dispatcher.DispatchAsync(b.Request());
        Assert.Equal(DispatchStatus.Joined, whileHeld.Status);
        Assert.Null(whileHeld.RollbackId);

        // A's lease expires: A stops working under it; B's next request takes the lock and resumes A's rollback.
        var interrupted = a.WaitAsync(started.RollbackId); // taken before the lock expires: an interrupted run is forgotten once released
        sharedLock.Expire("app");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted);
        var takeover = await b.Dispatcher.DispatchAsync(b.Request());
        Assert.Equal(DispatchStatus.Joined, takeover.Status);
        Assert.Equal(started.RollbackId, takeover.RollbackId);
        await b.ApproveNextAsync(); // the step A was running when its lease expired is not re-run without a decision

        var status = await b.WaitAsync(started.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.True(status.Resumed);
        Assert.Equal(1, b.StepRuns);
        var entries = await journal.ReadAsync("app");
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Completed);
    }

    [Fact]
    public async Task ResumeUnfinishedAsync_AfterLockFreed_TakesOverWithoutNewRequest()
    {
        var sharedLock = new SharedLock();
        var journal = new InMemoryRollbackJournal();
        void Shared(IServiceCollection s)
        {
            s.AddSingleton<IRollbackLock>(sharedLock);
            s.AddSingleton<IRollbackJournal>(journal);
        }

        await using var a = WorkflowHarness.Create(services: Shared);
        await using var b = WorkflowHarness.Create(services: Shared);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Step = async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Success();
        };
        var started = await a.Dispatcher.DispatchAsync(a.Request());
        await entered.Task.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.Equal(0, await b.Controller.ResumeUnfinishedAsync());
        var interrupted = a.WaitAsync(started.RollbackId); // taken before the lock expires: an interrupted run is forgotten once released
        sharedLock.Expire("app");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted);
        Assert.Equal(1, await b.Controller.ResumeUnfinishedAsync());
        await b.ApproveNextAsync();
        Assert.Equal(RollbackState.RolledBack, (await b.WaitAsync(started.RollbackId)).State);
        Assert.Equal(0, await b.Controller.ResumeUnfinishedAsync());
    }
}
