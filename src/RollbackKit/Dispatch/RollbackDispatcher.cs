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
        if (!_catalog.TryGet(targetId, out var target) && !TryGetGroupTarget(targetId, out target))
        {
            return await RefuseAsync(request, null, $"Unknown target '{targetId}'.", cancellationToken).ConfigureAwait(false);
        }

        if (request.Evidence is { DryRun: true } evidence)
        {
            return await DryRunAsync(request, evidence, cancellationToken).ConfigureAwait(false);
        }

        _deduplication.Purge();
        if (request.ScopedDeduplicationKey() is not { } key)
        {
            return await AdmitAsync(target, request, cancellationToken).ConfigureAwait(false);
        }

        var sighting = _deduplication.Remember(key);
        if (!sighting.IsNew)
        {
            // The same key is answered the same way: while its first request is still being decided, wait for that decision.
            var previous = sighting.Previous ?? (sighting.PreviousDecision is { } pending ? await pending.WaitAsync(cancellationToken).ConfigureAwait(false) : null);
            return await DuplicateAsync(request, previous, cancellationToken).ConfigureAwait(false);
        }

        string? decided = null;
        try
        {
            var result = await AdmitAsync(target, request, cancellationToken).ConfigureAwait(false);
            decided = result.RollbackId;
            return result;
        }
        finally
        {
            sighting.Decision?.TrySetResult(decided);
        }
    }

    /// <summary>Screens the request, then joins, refuses or starts under the target gate.</summary>
    private async ValueTask<DispatchResult> AdmitAsync(RollbackTarget target, RollbackRequest request, CancellationToken cancellationToken)
    {
        var targetId = target.Id;
        var screen = GroupScreening.Screen(_admission, _killSwitch, Groups, request);
        if (screen.Verdict == AdmissionVerdict.Alert)
        {
            return await AlertAsync(request, screen.Reason!, cancellationToken).ConfigureAwait(false);
        }

        var unit = RollbackUnit(target);
        var runtime = _registry.Runtime(unit.Id);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (runtime.Active is { } finishing && finishing.State.IsTerminal())
        {
            // That rollback has reached its outcome and is only recording it before releasing the target: joining it would lose
            // this request. Wait for the release, then decide as for any request (which then sees it as just finished).
            runtime.Gate.Release();
            await ((Task)finishing.Completion.Task).ContinueWith(static _ => { }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        Decision decision;
        try
        {
            decision = await DecideUnderGateAsync(runtime, unit, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            runtime.Gate.Release();
        }

        // Joins and refusals change nothing the next request depends on (that was decided under the gate): they are journaled
        // after the gate is released, so a burst of requests never holds up the run they join.
        switch (decision.Record)
        {
            case JournalEntryKind.Joined:
                await Journal.JoinedAsync(decision.Result.RollbackId, request, decision.JournalMessage!, cancellationToken).ConfigureAwait(false);
                break;
            case JournalEntryKind.Refused:
                await Journal.RefusedAsync(decision.Result.RollbackId, request, decision.Result.Message!, cancellationToken).ConfigureAwait(false);
                Log.Refused(_logger, targetId, decision.Result.Message!);
                break;
        }

        return decision.Result;
    }

    /// <summary>
    /// Joins the rollback in progress, or checks the limits, takes the lock and starts one. Called under the target gate; what
    /// <see cref="Decision.Record"/> names is journaled by the caller after releasing it.
    /// </summary>
    private async ValueTask<Decision> DecideUnderGateAsync(TargetRuntime runtime, RollbackTarget target, RollbackRequest request, CancellationToken cancellationToken)
    {
        var targetId = target.Id;
        var now = Time.GetUtcNow();
        if (runtime.Active is { } active)
        {
            return Join(active, request, "joined the rollback already in progress");
        }

        var automatic = AdmissionPolicy.IsAutomatic(request);
        if (CheckLimits(runtime, target, request, now) is { } refused)
        {
            return refused;
        }

        var handle = await _lock.TryAcquireAsync(targetId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
        {
            return await JoinElsewhereAsync(target, request, cancellationToken).ConfigureAwait(false);
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
                    return new Decision(new DispatchResult(DispatchStatus.Refused, run.RollbackId, $"An unfinished rollback of {targetId} ({run.RollbackId}) needs human attention first."), JournalEntryKind.Refused, null);
                }

                return Join(run, request, "joined an unfinished rollback resumed from the journal");
            }

            // With a shared lock another process may have finished a rollback since this one last read the journal (reread when
            // taking the lock): its cooldown and attempts count here too.
            if (!_lockIsLocal && CheckLimits(runtime, target, request, now) is { } refusedAfterRead)
            {
                return refusedAfterRead;
            }

            var id = NewRollbackId(now);
            if (request.ScopedDeduplicationKey() is { } dedup)
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
            await Journal.RequestedAsync(id, request, parent?.TraceId.ToHexString(), now, cancellationToken, targetId).ConfigureAwait(false);
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
        var overrides = automatic ? null : ManualOverrides(target);
        if (overrides is not null)
        {
            Log.GroupManualOverride(_logger, run.RollbackId, targetId, request.RequestedBy ?? "unknown", overrides);
        }

        return new Decision(
            new DispatchResult(DispatchStatus.Started, run.RollbackId, $"Rollback {run.RollbackId} of {targetId} accepted ({request.Severity.ToPriority()}){(overrides is null ? null : "; a manual request overrides: " + overrides)}."),
            null,
            null);
    }

    /// <summary>The cooldown and attempt limits of <paramref name="target"/>; a refusal to return, or <see langword="null"/> to go on.</summary>
    private Decision? CheckLimits(TargetRuntime runtime, RollbackTarget target, RollbackRequest request, DateTimeOffset now)
    {
        runtime.Attempts.RemoveAll(t => !_admission.StillCounts(t, now));
        var limits = _admission.CheckLimits(request, runtime.LastFinished, runtime.Attempts, now, GroupScreening.LimitSubject(Groups, target.Id, request.Target.Id));
        if (limits.Verdict != AdmissionVerdict.Refuse)
        {
            return null;
        }

        if (limits.RollbackId is { } finished && request.ScopedDeduplicationKey() is { } refusedKey)
        {
            // A repeat of this key is answered with the rollback that made this request unnecessary.
            _deduplication.SetRollbackId(refusedKey, finished);
        }

        return new Decision(new DispatchResult(DispatchStatus.Refused, limits.RollbackId, limits.Reason), JournalEntryKind.Refused, null);
    }

    /// <summary>Another process holds the lock of <paramref name="target"/>: the request joins its rollback, naming the holder when the lock knows it.</summary>
    private async ValueTask<Decision> JoinElsewhereAsync(RollbackTarget target, RollbackRequest request, CancellationToken cancellationToken)
    {
        var targetId = target.Id;
        var holder = await _lock.GetHolderAsync(targetId, cancellationToken).ConfigureAwait(false);
        Log.JoinedElsewhere(_logger, targetId);
        if (IsGroup(targetId))
        {
            var message = $"{holder ?? "Another process"} holds the lock of group {targetId} and is rolling it back; "
                + (string.Equals(request.Target.Id, targetId, StringComparison.Ordinal) ? "this request joins that rollback." : $"{request.Target.Id} is a member, so this request joins that rollback.");
            return new Decision(new DispatchResult(DispatchStatus.Joined, null, message), JournalEntryKind.Joined, message);
        }

        return holder is null
            ? new Decision(new DispatchResult(DispatchStatus.Joined, null, $"Another process is rolling back {targetId}."), JournalEntryKind.Joined, "another process holds the target lock and is rolling it back")
            : new Decision(new DispatchResult(DispatchStatus.Joined, null, $"{holder} holds the lock of {targetId} and is rolling it back."), JournalEntryKind.Joined, $"{holder} holds the target lock and is rolling it back");
    }

    /// <summary>Counts the request into <paramref name="run"/>; its <see cref="JournalEntryKind.Joined"/> record is written after the gate is released.</summary>
    private Decision Join(WorkflowRun run, RollbackRequest request, string message)
    {
        run.AddJoined();
        if (request.ScopedDeduplicationKey() is { } key)
        {
            _deduplication.SetRollbackId(key, run.RollbackId);
        }

        return new Decision(
            new DispatchResult(DispatchStatus.Joined, run.RollbackId, $"Rollback {run.RollbackId} of {run.Target.Id} is already {run.State}; {message}."),
            JournalEntryKind.Joined,
            message);
    }

    private async ValueTask<DispatchResult> DuplicateAsync(RollbackRequest request, string? previous, CancellationToken cancellationToken)
    {
        var message = previous is null
            ? $"Deduplication key '{request.DeduplicationKey}' from {request.TriggerType} was seen before; nothing new happened."
            : $"Deduplication key '{request.DeduplicationKey}' from {request.TriggerType} was seen before and led to rollback {previous}; nothing new happened.";
        await Journal.DuplicateAsync(previous, request, message, cancellationToken).ConfigureAwait(false);
        Log.Duplicate(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.Duplicate, previous, message);
    }

    private async ValueTask<DispatchResult> DryRunAsync(RollbackRequest request, TriggerEvidence evidence, CancellationToken cancellationToken)
    {
        var message = $"Trigger {evidence.TriggerName} fired in dry run for {request.Target.Id}; recorded, not acted on: {request.Reason}";
        await Journal.DryRunFiredAsync(request, message, cancellationToken).ConfigureAwait(false);
        Log.DryRunRecorded(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.DryRunRecorded, null, message);
    }

    private async ValueTask<DispatchResult> AlertAsync(RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        await Journal.AlertAsync(request, message, cancellationToken).ConfigureAwait(false);
        _recorder.Publish(RollbackEventKind.Alert, request, message);
        Log.Alerted(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.AlertRaised, null, message);
    }

    private async ValueTask<DispatchResult> RefuseAsync(RollbackRequest request, string? rollbackId, string message, CancellationToken cancellationToken)
    {
        await Journal.RefusedAsync(rollbackId, request, message, cancellationToken).ConfigureAwait(false);
        Log.Refused(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.Refused, rollbackId, message);
    }

    private static string DecisionName(DispatchStatus status) => status switch
    {
        DispatchStatus.Started => "started",
        DispatchStatus.Joined => "joined",
        DispatchStatus.Duplicate => "duplicate",
        DispatchStatus.AlertRaised => "alert",
        DispatchStatus.DryRunRecorded => "dry_run",
        _ => "refused",
    };

    private static string NewRollbackId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"rb-{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..12]}");

    public void Dispose() => _initGate.Dispose();

    /// <summary>A decision made under the target gate and, for a join or refusal, the record to journal once the gate is released.</summary>
    private readonly record struct Decision(DispatchResult Result, JournalEntryKind? Record, string? JournalMessage);
}
