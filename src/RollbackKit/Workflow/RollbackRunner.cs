using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Workflow;

/// <summary>
/// Runs accepted rollbacks in the background, one per target, phase after phase as the <see cref="RollbackStateMachine"/> says:
/// gate, playbook, verification, completion. Each run is a <c>rollbackkit.rollback</c> span whose parent is the dispatch span
/// that started it. On shutdown or a lost lock the run stops where it is and stays unfinished in the journal.
/// </summary>
internal sealed partial class RollbackRunner(
    RollbackRegistry registry,
    ApprovalStage approval,
    PlaybookStage playbook,
    VerificationStage verification,
    CompletionStage completion,
    RollbackRecorder recorder,
    ILogger<RollbackRunner> logger) : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;

    /// <summary>What this process knows about rollbacks.</summary>
    public RollbackRegistry Registry { get; } = registry;

    /// <summary>Journals, notifies and keeps time for runs.</summary>
    public RollbackRecorder Recorder { get; } = recorder;

    /// <summary>Whether the runner has been disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Makes <paramref name="run"/> the target's active rollback and runs it in the background. Called under the target gate.</summary>
    public void Start(TargetRuntime runtime, WorkflowRun run)
    {
        Groups?.Attach(run, null);
        var lockLost = run.LockHandle?.LockLost ?? CancellationToken.None;
        run.Cancellation = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, lockLost);
        Registry.Track(runtime, run);
        var task = Task.Run(() => RunAsync(runtime, run));
        _tasks.TryAdd(task, 0);
        _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Takes over an unfinished rollback under a held lock: resumes it, or marks it for attention. Called under the target gate.</summary>
    public async ValueTask<WorkflowRun> AdoptAsync(TargetRuntime runtime, RollbackTarget target, UnfinishedRollback unfinished, IRollbackLockHandle handle, CancellationToken cancellationToken)
    {
        var run = new WorkflowRun(unfinished.RollbackId, target, unfinished.Request, unfinished.State, unfinished.AcceptedAt, resumed: true)
        {
            LockHandle = handle,
            ApprovedBy = unfinished.ApprovedBy,
            HistoryProblem = unfinished.Incomplete,
            ParentContext = Activity.Current?.Context ?? default,
        };
        run.CompletedSteps.UnionWith(unfinished.CompletedSteps);
        foreach (var (index, step) in unfinished.InterruptedSteps)
        {
            run.InterruptedSteps[index] = step;
        }

        Groups?.Attach(run, unfinished);

        if (!completion.ResumesUnfinished || unfinished.Incomplete is not null)
        {
            var message = unfinished.Incomplete is { } why
                ? $"Rollback {run.RollbackId} of {target.Id} has an incomplete or inconsistent journal history ({why}); it is not resumed, a human must check {target.Id}."
                : $"Rollback {run.RollbackId} was left unfinished in state {unfinished.State} by a previous process; a human must check {target.Id}.";
            try
            {
                await completion.FinishAsync(run, RollbackState.NeedsAttention, message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }

            Registry.Remember(runtime.Last = run.ToStatus());
            return run;
        }

        await Recorder.Journal.TransitionAsync(run.RollbackId, target.Id, unfinished.State, $"resumed in state {unfinished.State}", cancellationToken).ConfigureAwait(false);
        Log.Resumed(logger, run.RollbackId, target.Id, unfinished.State);
        Start(runtime, run);
        return run;
    }

    private async Task RunAsync(TargetRuntime runtime, WorkflowRun run)
    {
        var cancellationToken = run.Cancellation!.Token;
        using var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.rollback", ActivityKind.Internal, run.ParentContext);
        activity?.SetTag(RollbackKitTags.RollbackId, run.RollbackId);
        activity?.SetTag(RollbackKitTags.TargetId, run.Target.Id);
        activity?.SetTag(RollbackKitTags.TriggerType, run.Request.TriggerType.ToString());
        activity?.SetTag(RollbackKitTags.Severity, run.Request.Severity.ToPriority());
        activity?.SetTag(RollbackKitTags.Resumed, run.Resumed);
        try
        {
            if (!run.Resumed)
            {
                Recorder.Publish(RollbackEventKind.Fired, run, $"Rollback of {run.Target.Id} requested ({run.Request.Severity.ToPriority()}, {run.Request.TriggerType}): {run.Request.Reason}", actor: run.Request.RequestedBy);
            }

            var phase = RollbackStateMachine.NextPhase(run.State);
            if (phase == WorkflowPhase.Gate)
            {
                if (!await approval.PassAsync(run, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                phase = WorkflowPhase.Playbook;
            }

            if (phase == WorkflowPhase.Playbook)
            {
                var (succeeded, message, needsAttention) = await RunPlaybookAsync(run, cancellationToken).ConfigureAwait(false);
                if (!succeeded)
                {
                    await completion.FinishAsync(run, needsAttention ? RollbackState.NeedsAttention : RollbackStateMachine.AfterPlaybook(succeeded: false), message, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            var verified = await VerifyAsync(run, cancellationToken).ConfigureAwait(false);
            await completion.FinishAsync(
                run,
                RollbackStateMachine.AfterVerification(verified),
                verified
                    ? $"{run.Target.Id} rolled back in {run.PlaybookDuration} and verified healthy ({run.Verification?.Summary})"
                    : $"{run.Target.Id} is still unhealthy after the rollback: previous version also unhealthy, systemic issue ({run.Verification?.Summary})",
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown or lock lost: the journal shows the workflow unfinished; whoever takes the lock next resumes it.
            Log.Interrupted(logger, run.RollbackId, run.Target.Id, run.State);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WorkflowFailed(logger, run.RollbackId, run.Target.Id, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            try
            {
                if (!run.State.IsTerminal())
                {
                    await completion.FinishAsync(run, RollbackState.RollbackFailed, $"Rollback workflow error: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception inner) when (inner is not OutOfMemoryException)
            {
                Log.WorkflowFailed(logger, run.RollbackId, run.Target.Id, inner);
            }
        }
        finally
        {
            activity?.SetTag(RollbackKitTags.State, run.State.ToString());
            if (run.State == RollbackState.RollbackFailed)
            {
                activity?.SetStatus(ActivityStatusCode.Error, run.Message);
            }

            await ReleaseAsync(runtime, run).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock, forgets the run as active and completes its waiters.</summary>
    private async Task ReleaseAsync(TargetRuntime runtime, WorkflowRun run)
    {
        await runtime.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (run.LockHandle is { } handle)
            {
                try
                {
                    await handle.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Log.LockReleaseFailed(logger, run.Target.Id, ex);
                }
            }

            if (run.State is RollbackState.RolledBack or RollbackState.RollbackFailed)
            {
                runtime.LastFinished = new FinishedRollback(run.RollbackId, run.State, run.CompletedAt ?? Recorder.Time.GetUtcNow());
            }

            var status = Registry.Untrack(runtime, run);
            if (run.State.IsTerminal())
            {
                run.Completion.TrySetResult(status);
            }
            else
            {
                run.Completion.TrySetCanceled();
            }
        }
        finally
        {
            runtime.Gate.Release();
            run.Cancellation?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        var running = _tasks.Keys.ToArray();
        try
        {
            await Task.WhenAll(running).WaitAsync(ShutdownTimeout, Recorder.Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ShutdownTimedOut(logger, running.Length);
        }

        _shutdown.Dispose();
    }

    /// <summary>Synchronous disposal for containers disposed with <c>Dispose()</c>: same as <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
