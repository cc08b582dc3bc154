using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Dispatch;

/// <summary>
/// Every rollback request enters here. The dispatcher decides (deduplication, <see cref="AdmissionPolicy"/>, one rollback per
/// target under the <see cref="IRollbackLock"/>), journals the decision, and hands accepted rollbacks to the
/// <see cref="RollbackRunner"/>. Each decision is a <c>rollbackkit.dispatch</c> span. The same instance is the
/// <see cref="IRollbackController"/>, whose switches live in the <see cref="KillSwitch"/>.
/// </summary>
internal sealed partial class RollbackDispatcher : IRollbackDispatcher, IRollbackController, IDisposable
{
    private readonly IRollbackTargetCatalog _catalog;
    private readonly AdmissionPolicy _admission;
    private readonly KillSwitch _killSwitch;
    private readonly DeduplicationCache _deduplication;
    private readonly RollbackRunner _runner;
    private readonly RollbackRegistry _registry;
    private readonly RollbackRecorder _recorder;
    private readonly IRollbackLock _lock;
    private readonly bool _lockIsLocal;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    public RollbackDispatcher(
        IRollbackTargetCatalog catalog,
        AdmissionPolicy admission,
        KillSwitch killSwitch,
        DeduplicationCache deduplication,
        RollbackRunner runner,
        IRollbackLock rollbackLock,
        ILogger<RollbackDispatcher> logger)
    {
        _catalog = catalog;
        _admission = admission;
        _killSwitch = killSwitch;
        _deduplication = deduplication;
        _runner = runner;
        _registry = runner.Registry;
        _recorder = runner.Recorder;
        _lock = rollbackLock;
        _lockIsLocal = rollbackLock is InProcessRollbackLock;
        _logger = logger;
    }

    private TimeProvider Time => _recorder.Time;

    private JournalRecorder Journal => _recorder.Journal;

    /// <summary>Number of deduplication keys currently remembered.</summary>
    internal int DeduplicationKeyCount => _deduplication.Count;

    public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        // Argument and state errors surface through the returned task, as from an async method.
        if (request is null)
        {
            return ValueTask.FromException<DispatchResult>(new ArgumentNullException(nameof(request)));
        }

        if (_runner.IsDisposed)
        {
            return ValueTask.FromException<DispatchResult>(new ObjectDisposedException(GetType().FullName));
        }

        var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.dispatch");
        return activity is null ? DecideAsync(request, cancellationToken) : TracedAsync(activity, request, cancellationToken);
    }

    /// <summary>The decision inside its <c>rollbackkit.dispatch</c> span (only when someone listens).</summary>
    private async ValueTask<DispatchResult> TracedAsync(Activity activity, RollbackRequest request, CancellationToken cancellationToken)
    {
        using (activity)
        {
            activity.SetTag(RollbackKitTags.TargetId, request.Target.Id);
            activity.SetTag(RollbackKitTags.TriggerType, request.TriggerType.ToString());
            activity.SetTag(RollbackKitTags.Severity, request.Severity.ToPriority());
            var result = await DecideAsync(request, cancellationToken).ConfigureAwait(false);
            activity.SetTag(RollbackKitTags.Decision, DecisionName(result.Status));
            activity.SetTag(RollbackKitTags.RollbackId, result.RollbackId);
            return result;
        }
    }

    private async ValueTask<DispatchResult> DecideAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        var targetId = request.Target.Id;
        if (!_catalog.TryGet(targetId, out var target))
        {
            return await RefuseAsync(request, $"Unknown target '{targetId}'.", cancellationToken).ConfigureAwait(false);
        }

        _deduplication.Purge();
        if (request.DeduplicationKey is { } key && !_deduplication.TryRemember(key, out var previous))
        {
            await Journal.DuplicateAsync(previous, request, $"deduplication key '{key}' seen before", cancellationToken).ConfigureAwait(false);
            return new DispatchResult(DispatchStatus.Duplicate, previous, $"Deduplication key '{key}' was seen before.");
        }

        var screen = _admission.Screen(request, _killSwitch.IsEnabled(targetId), _killSwitch.IsPastPointOfNoReturn(targetId));
        if (screen.Verdict == AdmissionVerdict.Alert)
        {
            return await AlertAsync(request, screen.Reason!, cancellationToken).ConfigureAwait(false);
        }

        var runtime = _registry.Runtime(targetId);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (runtime.Active is { } finishing && finishing.State.IsTerminal())
        {
            // That rollback has reached its outcome and is only recording it before releasing the target: joining it would lose
            // this request. Wait for the release, then decide as for any request (a new rollback, or the cooldown).
            runtime.Gate.Release();
            await ((Task)finishing.Completion.Task).ContinueWith(static _ => { }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await DecideUnderGateAsync(runtime, target, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    /// <summary>Joins the rollback in progress, or checks the limits, takes the lock and starts one. Called under the target gate.</summary>
    private async ValueTask<DispatchResult> DecideUnderGateAsync(TargetRuntime runtime, RollbackTarget target, RollbackRequest request, CancellationToken cancellationToken)
    {
        var targetId = target.Id;
        var now = Time.GetUtcNow();
        if (runtime.Active is { } active)
        {
            return await JoinAsync(active, request, "joined the rollback already in progress", cancellationToken).ConfigureAwait(false);
        }

        var automatic = AdmissionPolicy.IsAutomatic(request);
        if (automatic)
        {
            runtime.Attempts.RemoveAll(t => !_admission.StillCounts(t, now));
            var limits = _admission.CheckLimits(request, runtime.LastCompletedAt, runtime.Attempts, now);
            if (limits.Verdict == AdmissionVerdict.Refuse)
            {
                return await RefuseAsync(request, limits.Reason!, cancellationToken).ConfigureAwait(false);
            }
        }

        var handle = await _lock.TryAcquireAsync(targetId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
        {
            await Journal.JoinedAsync(null, request, "another process holds the target lock and is rolling it back", cancellationToken).ConfigureAwait(false);
            return new DispatchResult(DispatchStatus.Joined, null, $"Another process is rolling back {targetId}.");
        }

        WorkflowRun run;
        try
        {
            // Whoever takes the lock finishes the work another process left unfinished before starting anything new.
            var unfinished = await TakeUnfinishedAsync(runtime, targetId, cancellationToken).ConfigureAwait(false);
            if (unfinished is not null)
            {
                run = await _runner.AdoptAsync(runtime, target, unfinished, handle, cancellationToken).ConfigureAwait(false);
                handle = null;
                if (run.State.IsTerminal())
                {
                    return await RefuseAsync(request, $"An unfinished rollback of {targetId} needs human attention first.", cancellationToken).ConfigureAwait(false);
                }

                return await JoinAsync(run, request, "joined an unfinished rollback resumed from the journal", cancellationToken).ConfigureAwait(false);
            }

            var id = NewRollbackId(now);
            if (request.DeduplicationKey is { } dedup)
            {
                _deduplication.SetRollbackId(dedup, id);
            }

            var parent = Activity.Current;
            run = new WorkflowRun(id, target, request, RollbackState.RollbackPending, now, resumed: false)
            {
                LockHandle = handle,
                ParentContext = parent?.Context ?? default,
            };

            // The trace id of the dispatch (and so of the monitor tick or webhook that called it) links the rollback to its cause.
            await Journal.RequestedAsync(id, request, parent?.TraceId.ToHexString(), now, cancellationToken).ConfigureAwait(false);
            handle = null;
        }
        finally
        {
            if (handle is not null)
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (automatic)
        {
            runtime.Attempts.Add(now);
        }

        _runner.Start(runtime, run);
        Log.Accepted(_logger, run.RollbackId, targetId, request.TriggerType, request.Severity.ToPriority(), request.Reason);
        return new DispatchResult(DispatchStatus.Started, run.RollbackId, $"Rollback {run.RollbackId} of {targetId} accepted ({request.Severity.ToPriority()}).");
    }

    private async ValueTask<DispatchResult> JoinAsync(WorkflowRun run, RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        run.AddJoined();
        if (request.DeduplicationKey is { } key)
        {
            _deduplication.SetRollbackId(key, run.RollbackId);
        }

        await Journal.JoinedAsync(run.RollbackId, request, message, cancellationToken).ConfigureAwait(false);
        return new DispatchResult(DispatchStatus.Joined, run.RollbackId, $"Rollback {run.RollbackId} of {run.Target.Id} is already {run.State}; {message}.");
    }

    private async ValueTask<DispatchResult> AlertAsync(RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        await Journal.AlertAsync(request, message, cancellationToken).ConfigureAwait(false);
        _recorder.Publish(RollbackEventKind.Alert, request, message);
        Log.Alerted(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.AlertRaised, null, message);
    }

    private async ValueTask<DispatchResult> RefuseAsync(RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        await Journal.RefusedAsync(request, message, cancellationToken).ConfigureAwait(false);
        Log.Refused(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.Rejected, null, message);
    }

    private static string DecisionName(DispatchStatus status) => status switch
    {
        DispatchStatus.Started => "started",
        DispatchStatus.Joined => "joined",
        DispatchStatus.Duplicate => "duplicate",
        DispatchStatus.AlertRaised => "alert",
        _ => "refused",
    };

    private static string NewRollbackId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"rb-{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..12]}");

    public void Dispose() => _initGate.Dispose();
}
