using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Workflow;

/// <summary>
/// The dispatcher and workflow engine: every rollback request enters here; one workflow per target runs at a time under
/// the <see cref="IRollbackLock"/>; every transition is journaled before it is acted on.
/// </summary>
internal sealed partial class RollbackDispatcher : IRollbackDispatcher, IRollbackController, IAsyncDisposable, IDisposable
{
    private const int MaxRecentStatuses = 1024;
    private static readonly TimeSpan DeduplicationPurgeInterval = TimeSpan.FromMinutes(1);
    private readonly IRollbackTargetCatalog _catalog;
    private readonly RollbackKitOptions _options;
    private readonly RollbackWorkflowOptions _workflow;
    private readonly IRollbackJournal _journal;
    private readonly IRollbackLock _lock;
    private readonly IApprovalGate _approvals;
    private readonly NotificationFanOut _notifications;
    private readonly PlaybookBuilder _playbooks;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly WorkflowMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _lockIsLocal;
    private readonly Dictionary<string, TargetDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TargetRuntime> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeduplicationEntry> _deduplication = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkflowRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RollbackStatus> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _finishedOrder = new();
    private readonly ConcurrentDictionary<string, bool> _autoRollbackOverrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _pointOfNoReturn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BuiltPlaybook> _builtPlaybooks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;
    private long _nextDeduplicationPurge;
    private volatile bool _autoRollbackEnabled;
    private int _disposed;

    public RollbackDispatcher(
        IRollbackTargetCatalog catalog,
        IOptions<RollbackKitOptions> options,
        IRollbackJournal journal,
        IRollbackLock rollbackLock,
        IApprovalGate approvals,
        NotificationFanOut notifications,
        PlaybookBuilder playbooks,
        IServiceProvider services,
        TimeProvider timeProvider,
        WorkflowMetrics metrics,
        ILogger<RollbackDispatcher> logger)
    {
        _catalog = catalog;
        _options = options.Value;
        _workflow = _options.Workflow;
        _journal = journal;
        _lock = rollbackLock;
        _approvals = approvals;
        _notifications = notifications;
        _playbooks = playbooks;
        _services = services;
        _time = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _lockIsLocal = rollbackLock is InProcessRollbackLock;
        _autoRollbackEnabled = _workflow.AutoRollbackEnabled;
        foreach (var definition in _options.Targets)
        {
            if (!string.IsNullOrWhiteSpace(definition.Id))
            {
                _definitions.TryAdd(definition.Id, definition);
            }
        }

        foreach (var id in _workflow.PointOfNoReturnTargets)
        {
            _pointOfNoReturn[id] = true;
        }
    }

    // ---------------------------------------------------------------- controller

    public bool AutoRollbackEnabled => _autoRollbackEnabled;

    public ValueTask<DispatchResult> RollbackAsync(string targetId, string reason, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        if (!_catalog.TryGet(targetId, out var target))
        {
            return ValueTask.FromResult(new DispatchResult(DispatchStatus.Rejected, null, $"Unknown target '{targetId}'."));
        }

        return DispatchAsync(
            new RollbackRequest
            {
                Target = target,
                TriggerType = RollbackTriggerType.Manual,
                Severity = RollbackSeverity.Critical,
                Reason = reason,
                RequestedBy = requestedBy,
                RequestedAt = _time.GetUtcNow(),
            },
            cancellationToken);
    }

    public void SetAutoRollback(bool enabled)
    {
        _autoRollbackEnabled = enabled;
        Log.KillSwitch(_logger, "*", enabled);
    }

    public void SetAutoRollback(string targetId, bool? enabled)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        if (enabled is { } value)
        {
            _autoRollbackOverrides[targetId] = value;
        }
        else
        {
            _autoRollbackOverrides.TryRemove(targetId, out _);
        }

        Log.KillSwitch(_logger, targetId, IsAutoRollbackEnabled(targetId));
    }

    public bool IsAutoRollbackEnabled(string targetId)
    {
        if (!_autoRollbackEnabled)
        {
            return false;
        }

        if (_autoRollbackOverrides.TryGetValue(targetId, out var enabled))
        {
            return enabled;
        }

        return !_definitions.TryGetValue(targetId, out var definition) || definition.AutoRollback;
    }

    public void SetPointOfNoReturn(string targetId, bool passed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        _pointOfNoReturn[targetId] = passed;
    }

    public bool IsPastPointOfNoReturn(string targetId) => _pointOfNoReturn.TryGetValue(targetId, out var passed) && passed;

    public void ResetAttempts(string targetId)
    {
        var runtime = Runtime(targetId);
        runtime.Gate.Wait();
        try
        {
            runtime.Attempts.Clear();
            runtime.LastCompletedAt = null;
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    public RollbackStatus? GetStatus(string targetId)
    {
        if (!_targets.TryGetValue(targetId, out var runtime))
        {
            return null;
        }

        return runtime.Active?.ToStatus() ?? runtime.Last;
    }

    public IReadOnlyList<RollbackStatus> GetActiveRollbacks() => _runs.Values.Select(r => r.ToStatus()).ToArray();

    public Task<RollbackStatus> WaitForCompletionAsync(string rollbackId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rollbackId);
        if (_runs.TryGetValue(rollbackId, out var run))
        {
            return run.Completion.Task.WaitAsync(cancellationToken);
        }

        if (_finished.TryGetValue(rollbackId, out var status))
        {
            return Task.FromResult(status);
        }

        return Task.FromException<RollbackStatus>(new KeyNotFoundException($"Rollback '{rollbackId}' is not known to this process."));
    }

    // ---------------------------------------------------------------- dispatch

    public async ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        var targetId = request.Target.Id;
        var now = _time.GetUtcNow();
        if (!_catalog.TryGet(targetId, out var target))
        {
            return await RefuseAsync(request, $"Unknown target '{targetId}'.", cancellationToken).ConfigureAwait(false);
        }

        PurgeDeduplication(now);
        if (request.DeduplicationKey is { } key && !TryRememberKey(key, now, out var previous))
        {
            await AppendAsync(new JournalEntry
            {
                Timestamp = now,
                Kind = JournalEntryKind.Duplicate,
                RollbackId = previous,
                TargetId = targetId,
                Request = request,
                Actor = request.RequestedBy,
                Message = $"deduplication key '{key}' seen before",
            }, cancellationToken).ConfigureAwait(false);
            return new DispatchResult(DispatchStatus.Duplicate, previous, $"Deduplication key '{key}' was seen before.");
        }

        var automatic = request.TriggerType != RollbackTriggerType.Manual;
        if (request.AlertOnly)
        {
            return await AlertAsync(request, $"Alert: {request.Reason}", cancellationToken).ConfigureAwait(false);
        }

        if (automatic && !IsAutoRollbackEnabled(targetId))
        {
            return await AlertAsync(request, $"Automatic rollback is disabled for {targetId} (kill switch); not rolling back: {request.Reason}", cancellationToken).ConfigureAwait(false);
        }

        if (automatic && IsPastPointOfNoReturn(targetId))
        {
            return await AlertAsync(request, $"{targetId} is past its point of no return: a forward fix is needed instead of a rollback ({request.Reason})", cancellationToken).ConfigureAwait(false);
        }

        if (automatic && request.Severity == RollbackSeverity.Medium && _workflow.MediumSeverity == MediumSeverityPolicy.AlertOnly)
        {
            return await AlertAsync(request, $"P2 (medium) alert for {targetId}, not rolling back: {request.Reason}", cancellationToken).ConfigureAwait(false);
        }

        var runtime = Runtime(targetId);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (runtime.Active is { } finishing && finishing.State.IsTerminal())
        {
            // That rollback has reached its outcome and is only recording it before releasing the target: joining it would lose
            // this request. Wait for the release, then decide as for any request (a new rollback, or the cooldown).
            runtime.Gate.Release();
            await ((Task)finishing.Completion.Task).ContinueWith(static _ => { }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            now = _time.GetUtcNow();
        }

        try
        {
            if (runtime.Active is { } active)
            {
                return await JoinAsync(active, request, "joined the rollback already in progress", cancellationToken).ConfigureAwait(false);
            }

            if (automatic)
            {
                if (runtime.LastCompletedAt is { } last && now - last < _workflow.Cooldown)
                {
                    var remaining = _workflow.Cooldown - (now - last);
                    return await RefuseAsync(request, $"{targetId} was rolled back at {last:O}; cooldown of {_workflow.Cooldown} has {remaining} left. Use a manual rollback to override.", cancellationToken).ConfigureAwait(false);
                }

                runtime.Attempts.RemoveAll(t => now - t >= _workflow.AttemptWindow);
                if (runtime.Attempts.Count >= _workflow.MaxAttemptsPerTarget)
                {
                    return await RefuseAsync(request, $"{targetId} already had {runtime.Attempts.Count} automatic rollbacks within {_workflow.AttemptWindow} (maximum {_workflow.MaxAttemptsPerTarget}); a human must decide.", cancellationToken).ConfigureAwait(false);
                }
            }

            var handle = await _lock.TryAcquireAsync(targetId, cancellationToken).ConfigureAwait(false);
            if (handle is null)
            {
                await AppendAsync(new JournalEntry
                {
                    Timestamp = now,
                    Kind = JournalEntryKind.Joined,
                    TargetId = targetId,
                    Request = request,
                    Actor = request.RequestedBy,
                    Message = "another process holds the target lock and is rolling it back",
                }, cancellationToken).ConfigureAwait(false);
                return new DispatchResult(DispatchStatus.Joined, null, $"Another process is rolling back {targetId}.");
            }

            WorkflowRun run;
            try
            {
                // Whoever takes the lock finishes the work another process left unfinished before starting anything new.
                var unfinished = await TakeUnfinishedAsync(runtime, targetId, cancellationToken).ConfigureAwait(false);
                if (unfinished is not null)
                {
                    run = await AdoptAsync(runtime, target, unfinished, handle, cancellationToken).ConfigureAwait(false);
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
                    SetDeduplicationRollbackId(dedup, id, now);
                }

                run = new WorkflowRun(id, target, request, RollbackState.RollbackPending, now, resumed: false) { LockHandle = handle };
                await AppendAsync(new JournalEntry
                {
                    Timestamp = now,
                    Kind = JournalEntryKind.Requested,
                    RollbackId = id,
                    TargetId = targetId,
                    State = RollbackState.RollbackPending,
                    Request = request,
                    Actor = request.RequestedBy,
                    Message = request.Reason,
                }, cancellationToken).ConfigureAwait(false);
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

            Start(runtime, run);
            Log.Accepted(_logger, run.RollbackId, targetId, request.TriggerType, request.Severity.ToPriority(), request.Reason);
            return new DispatchResult(DispatchStatus.Started, run.RollbackId, $"Rollback {run.RollbackId} of {targetId} accepted ({request.Severity.ToPriority()}).");
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    private async ValueTask<DispatchResult> JoinAsync(WorkflowRun run, RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        run.AddJoined();
        if (request.DeduplicationKey is { } key)
        {
            SetDeduplicationRollbackId(key, run.RollbackId, _time.GetUtcNow());
        }

        await AppendAsync(new JournalEntry
        {
            Timestamp = _time.GetUtcNow(),
            Kind = JournalEntryKind.Joined,
            RollbackId = run.RollbackId,
            TargetId = run.Target.Id,
            Request = request,
            Actor = request.RequestedBy,
            Message = message,
        }, cancellationToken).ConfigureAwait(false);
        return new DispatchResult(DispatchStatus.Joined, run.RollbackId, $"Rollback {run.RollbackId} of {run.Target.Id} is already {run.State}; {message}.");
    }

    private async ValueTask<DispatchResult> AlertAsync(RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        await AppendAsync(new JournalEntry
        {
            Timestamp = _time.GetUtcNow(),
            Kind = JournalEntryKind.Alert,
            TargetId = request.Target.Id,
            Request = request,
            Actor = request.RequestedBy,
            Message = message,
        }, cancellationToken).ConfigureAwait(false);
        Publish(RollbackEventKind.Alert, null, request.Target, request, message);
        Log.Alerted(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.AlertRaised, null, message);
    }

    private async ValueTask<DispatchResult> RefuseAsync(RollbackRequest request, string message, CancellationToken cancellationToken)
    {
        await AppendAsync(new JournalEntry
        {
            Timestamp = _time.GetUtcNow(),
            Kind = JournalEntryKind.Refused,
            TargetId = request.Target.Id,
            Request = request,
            Actor = request.RequestedBy,
            Message = message,
        }, cancellationToken).ConfigureAwait(false);
        Log.Refused(_logger, request.Target.Id, message);
        return new DispatchResult(DispatchStatus.Rejected, null, message);
    }

    /// <summary>Number of deduplication keys currently remembered.</summary>
    internal int DeduplicationKeyCount => _deduplication.Count;

    /// <summary>Remembers <paramref name="key"/> as first seen at <paramref name="now"/> unless it was seen within the deduplication
    /// window; returns <see langword="false"/> with the rollback it led to when it was.</summary>
    private bool TryRememberKey(string key, DateTimeOffset now, out string? previous)
    {
        var fresh = new DeduplicationEntry(null, now);
        while (true)
        {
            if (_deduplication.TryAdd(key, fresh))
            {
                previous = null;
                return true;
            }

            if (!_deduplication.TryGetValue(key, out var existing))
            {
                continue;
            }

            if (now - existing.FirstSeen < _workflow.DeduplicationWindow)
            {
                previous = existing.RollbackId;
                return false;
            }

            if (_deduplication.TryUpdate(key, fresh, existing))
            {
                previous = null;
                return true;
            }
        }
    }

    /// <summary>Records the rollback a key led to, keeping the time the key was first seen.</summary>
    private void SetDeduplicationRollbackId(string key, string rollbackId, DateTimeOffset now) =>
        _deduplication.AddOrUpdate(key, static (_, a) => new DeduplicationEntry(a.Id, a.Now), static (_, e, a) => e with { RollbackId = a.Id }, (Id: rollbackId, Now: now));

    /// <summary>Forgets keys older than the deduplication window; sweeps at most once a minute unless forced.</summary>
    private void PurgeDeduplication(DateTimeOffset now, bool force = false)
    {
        var next = Interlocked.Read(ref _nextDeduplicationPurge);
        if (!force && now.UtcTicks < next)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _nextDeduplicationPurge, (now + DeduplicationPurgeInterval).UtcTicks, next) != next && !force)
        {
            return;
        }

        var window = _workflow.DeduplicationWindow;
        foreach (var (key, entry) in _deduplication)
        {
            if (now - entry.FirstSeen >= window)
            {
                _deduplication.TryRemove(new KeyValuePair<string, DeduplicationEntry>(key, entry));
            }
        }
    }

    private TargetRuntime Runtime(string targetId) => _targets.GetOrAdd(targetId, static _ => new TargetRuntime());

    private static string NewRollbackId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"rb-{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..12]}");

    private ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken) => _journal.AppendAsync(entry, cancellationToken);

    // ---------------------------------------------------------------- start-up and resumption

    /// <summary>Loads deduplication keys, attempts, cooldowns and unfinished workflows from the journal, once.</summary>
    internal async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var entries = await _journal.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            foreach (var entry in entries)
            {
                if (entry.Request?.DeduplicationKey is { } key)
                {
                    // A key is remembered from the first time it was seen; a key whose window has passed starts over.
                    if (!_deduplication.TryGetValue(key, out var existing) || entry.Timestamp - existing.FirstSeen >= _workflow.DeduplicationWindow)
                    {
                        _deduplication[key] = new DeduplicationEntry(entry.RollbackId, entry.Timestamp);
                    }
                    else if (entry.RollbackId is not null)
                    {
                        _deduplication[key] = existing with { RollbackId = entry.RollbackId };
                    }
                }

                if (entry.Kind == JournalEntryKind.Requested && entry.Request is { TriggerType: not RollbackTriggerType.Manual } && now - entry.Timestamp < _workflow.AttemptWindow)
                {
                    Runtime(entry.TargetId).Attempts.Add(entry.Timestamp);
                }

                if (entry is { Kind: JournalEntryKind.Completed, Audit.State: RollbackState.RolledBack or RollbackState.RollbackFailed }
                    && entry.Audit.Trigger.Type != RollbackTriggerType.Manual)
                {
                    Runtime(entry.TargetId).LastCompletedAt = entry.Timestamp;
                }
            }

            PurgeDeduplication(now, force: true);
            foreach (var unfinished in FindUnfinished(entries))
            {
                Runtime(unfinished.Request.Target.Id).Unfinished = unfinished;
                Log.FoundUnfinished(_logger, unfinished.RollbackId, unfinished.Request.Target.Id, unfinished.State);
            }

            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    public async ValueTask<int> ResumeUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<string> candidates;
        if (_lockIsLocal)
        {
            candidates = _targets.Where(t => t.Value.Unfinished is not null).Select(t => t.Key).ToArray();
        }
        else
        {
            var entries = await _journal.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            candidates = FindUnfinished(entries).Select(u => u.Request.Target.Id).Distinct(StringComparer.Ordinal).ToArray();
        }

        var taken = 0;
        foreach (var targetId in candidates)
        {
            var runtime = Runtime(targetId);
            await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (runtime.Active is not null)
                {
                    continue;
                }

                var handle = await _lock.TryAcquireAsync(targetId, cancellationToken).ConfigureAwait(false);
                if (handle is null)
                {
                    continue;
                }

                var unfinished = await TakeUnfinishedAsync(runtime, targetId, cancellationToken).ConfigureAwait(false);
                if (unfinished is null)
                {
                    await handle.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                var target = _catalog.TryGet(targetId, out var configured) ? configured : unfinished.Request.Target;
                await AdoptAsync(runtime, target, unfinished, handle, cancellationToken).ConfigureAwait(false);
                taken++;
            }
            finally
            {
                runtime.Gate.Release();
            }
        }

        return taken;
    }

    /// <summary>Returns (and forgets) the unfinished workflow of a target; with a shared lock the journal is re-read.</summary>
    private async ValueTask<UnfinishedWorkflow?> TakeUnfinishedAsync(TargetRuntime runtime, string targetId, CancellationToken cancellationToken)
    {
        var local = runtime.Unfinished;
        runtime.Unfinished = null;
        if (_lockIsLocal)
        {
            return local;
        }

        var entries = await _journal.ReadAsync(targetId, cancellationToken).ConfigureAwait(false);
        return FindUnfinished(entries).LastOrDefault(u => !_runs.ContainsKey(u.RollbackId));
    }

    /// <summary>Takes over an unfinished workflow under a held lock: resumes it or marks it for attention. Called under the target gate.</summary>
    private async ValueTask<WorkflowRun> AdoptAsync(TargetRuntime runtime, RollbackTarget target, UnfinishedWorkflow unfinished, IRollbackLockHandle handle, CancellationToken cancellationToken)
    {
        var run = new WorkflowRun(unfinished.RollbackId, target, unfinished.Request, unfinished.State, unfinished.AcceptedAt, resumed: true)
        {
            LockHandle = handle,
            ApprovedBy = unfinished.ApprovedBy,
        };
        run.CompletedSteps.UnionWith(unfinished.CompletedSteps);
        if (_workflow.UnfinishedWorkflows == UnfinishedWorkflowPolicy.MarkForAttention)
        {
            try
            {
                await FinishAsync(run, RollbackState.NeedsAttention, $"Rollback {run.RollbackId} was left unfinished in state {unfinished.State} by a previous process; a human must check {target.Id}.", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }

            runtime.Last = run.ToStatus();
            _finished[run.RollbackId] = runtime.Last;
            _finishedOrder.Enqueue(run.RollbackId);
            return run;
        }

        await AppendAsync(new JournalEntry
        {
            Timestamp = _time.GetUtcNow(),
            Kind = JournalEntryKind.Transition,
            RollbackId = run.RollbackId,
            TargetId = target.Id,
            State = unfinished.State,
            Message = $"resumed in state {unfinished.State}",
        }, cancellationToken).ConfigureAwait(false);
        Log.Resumed(_logger, run.RollbackId, target.Id, unfinished.State);
        Start(runtime, run);
        return run;
    }

    internal static List<UnfinishedWorkflow> FindUnfinished(IReadOnlyList<JournalEntry> entries)
    {
        var byId = new Dictionary<string, (RollbackRequest Request, RollbackState State, DateTimeOffset At, HashSet<int> Steps, string? ApprovedBy, bool Done)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.RollbackId is not { } id)
            {
                continue;
            }

            if (entry.Kind == JournalEntryKind.Requested && entry.Request is { } request)
            {
                if (!byId.ContainsKey(id))
                {
                    order.Add(id);
                }

                byId[id] = (request, entry.State ?? RollbackState.RollbackPending, entry.Timestamp, [], null, false);
                continue;
            }

            if (!byId.TryGetValue(id, out var item))
            {
                continue;
            }

            switch (entry.Kind)
            {
                case JournalEntryKind.Transition when entry.State is { } state:
                    item.State = state;
                    item.Done |= state.IsTerminal();
                    break;
                case JournalEntryKind.StepCompleted when entry.Step is { Succeeded: true } step:
                    item.Steps.Add(step.Index);
                    break;
                case JournalEntryKind.ApprovalDecided when entry.Actor is { } actor
                    && (entry.Decision == ApprovalDecision.Approved || (entry.Decision == ApprovalDecision.TimedOut && actor == "timeout")):
                    // Approved, or a high-severity acknowledgement that timed out (which proceeds): resume past the gate.
                    item.ApprovedBy = actor;
                    break;
                case JournalEntryKind.Completed:
                    item.Done = true;
                    break;
            }

            byId[id] = item;
        }

        var result = new List<UnfinishedWorkflow>();
        foreach (var id in order)
        {
            var item = byId[id];
            if (!item.Done && !item.State.IsTerminal())
            {
                result.Add(new UnfinishedWorkflow(id, item.Request, item.State, item.At, item.Steps, item.ApprovedBy));
            }
        }

        return result;
    }

    // ---------------------------------------------------------------- lifecycle

    private void Start(TargetRuntime runtime, WorkflowRun run)
    {
        var lockLost = run.LockHandle?.LockLost ?? CancellationToken.None;
        run.Cancellation = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, lockLost);
        runtime.Active = run;
        _runs[run.RollbackId] = run;
        var task = Task.Run(() => RunAsync(runtime, run));
        _tasks.TryAdd(task, 0);
        _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

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
                    Log.LockReleaseFailed(_logger, run.Target.Id, ex);
                }
            }

            if (ReferenceEquals(runtime.Active, run))
            {
                runtime.Active = null;
            }

            if (run.State is RollbackState.RolledBack or RollbackState.RollbackFailed && run.Request.TriggerType != RollbackTriggerType.Manual)
            {
                runtime.LastCompletedAt = run.CompletedAt ?? _time.GetUtcNow();
            }

            var status = run.ToStatus();
            runtime.Last = status;
            _runs.TryRemove(run.RollbackId, out _);
            if (run.State.IsTerminal())
            {
                _finished[run.RollbackId] = status;
                _finishedOrder.Enqueue(run.RollbackId);
                while (_finishedOrder.Count > MaxRecentStatuses && _finishedOrder.TryDequeue(out var old))
                {
                    _finished.TryRemove(old, out _);
                }

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
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30), _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ShutdownTimedOut(_logger, running.Length);
        }

        _shutdown.Dispose();
    }

    /// <summary>Synchronous disposal for containers disposed with <c>Dispose()</c>: same as <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>A remembered deduplication key: the rollback it led to (if any) and when it was first seen.</summary>
internal readonly record struct DeduplicationEntry(string? RollbackId, DateTimeOffset FirstSeen);
