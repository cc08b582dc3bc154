using RollbackKit.Journal;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Dispatch;

/// <summary>The <see cref="IRollbackController"/> side of the dispatcher, and the replay of the journal at first use.</summary>
internal sealed partial class RollbackDispatcher
{
    /// <summary>When attempts and cooldown were last reset here, by dispatcher key: older journal records no longer count.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _resetAt = new(StringComparer.Ordinal);

    public bool AutoRollbackEnabled => _killSwitch.GlobalEnabled;

    /// <summary>What this process knows about rollbacks (for the operator console).</summary>
    internal RollbackRegistry Registry => _registry;

    /// <summary>The kill switches (for the operator console).</summary>
    internal KillSwitch KillSwitch => _killSwitch;

    /// <summary>The journal writer (for the operator console).</summary>
    internal JournalRecorder JournalRecorder => Journal;

    public ValueTask<DispatchResult> RollbackAsync(string targetId, string reason, string requestedBy, CancellationToken cancellationToken = default) =>
        RollbackAsync(targetId, reason, requestedBy, force: false, cancellationToken);

    public ValueTask<DispatchResult> RollbackAsync(string targetId, string reason, string requestedBy, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);

        // An unknown target is refused by the dispatcher like any other request: logged and journaled with its reason.
        var target = _catalog.TryGet(targetId, out var configured) || TryGetGroupTarget(targetId, out configured) ? configured : new RollbackTarget(targetId);
        return DispatchAsync(
            new RollbackRequest
            {
                Target = target,
                TriggerType = RollbackTriggerType.Manual,
                Severity = RollbackSeverity.Critical,
                Reason = reason,
                RequestedBy = requestedBy,
                RequestedAt = Time.GetUtcNow(),
                Force = force,
            },
            cancellationToken);
    }

    public void SetAutoRollback(bool enabled) => _killSwitch.SetGlobal(enabled);

    public void SetAutoRollback(string targetId, bool? enabled)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        _killSwitch.SetTarget(targetId, enabled);
    }

    public bool IsAutoRollbackEnabled(string targetId) => _killSwitch.IsEnabled(targetId);

    public void SetPointOfNoReturn(string targetId, bool passed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        _killSwitch.SetPointOfNoReturn(targetId, passed);
    }

    public bool IsPastPointOfNoReturn(string targetId) => _killSwitch.IsPastPointOfNoReturn(targetId);

    /// <summary>Who <see cref="ResetAttempts(string)"/> journals as having reset the attempts.</summary>
    internal const string ControllerActor = "controller";

    public void ResetAttempts(string targetId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);

        // Blocks until the reset is journaled: the synchronous call keeps its meaning (the reset holds when it returns).
        ResetAttemptsAsync(targetId, ControllerActor, "reset through IRollbackController.ResetAttempts", CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    public async ValueTask ResetAttemptsAsync(string targetId, string resetBy, string reason, CancellationToken cancellationToken = default) =>
        await ResetAttemptsCoreAsync(targetId, resetBy, reason, cancellationToken).ConfigureAwait(false);

    /// <summary>Journals the reset, then forgets the attempts and last finished rollback; returns the key reset (a group id for a member) and when.</summary>
    internal async ValueTask<(string Key, DateTimeOffset At)> ResetAttemptsCoreAsync(string targetId, string resetBy, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        ArgumentException.ThrowIfNullOrWhiteSpace(resetBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var key = RuntimeKey(targetId);
        var runtime = _registry.Runtime(key);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Journaled first: once acknowledged, the reset holds after a restart and on every host sharing the journal.
            var now = Time.GetUtcNow();
            await Journal.AttemptsResetAsync(key, resetBy, reason, now, cancellationToken).ConfigureAwait(false);
            runtime.Attempts.Clear();
            runtime.LastFinished = null;
            _resetAt.AddOrUpdate(key, static (_, at) => at, static (_, known, at) => at > known ? at : known, now);
            Log.AttemptsReset(_logger, key, resetBy, reason);
            return (key, now);
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    public RollbackStatus? GetStatus(string targetId) =>
        _registry.TryGetRuntime(RuntimeKey(targetId), out var runtime) ? runtime.Active?.ToStatus() ?? runtime.Last : null;

    public IReadOnlyList<RollbackStatus> GetActiveRollbacks() => _registry.Active();

    public Task<RollbackStatus> WaitForCompletionAsync(string rollbackId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rollbackId);
        if (_registry.TryGetRun(rollbackId, out var run))
        {
            return run.Completion.Task.WaitAsync(cancellationToken);
        }

        if (_registry.TryGetFinished(rollbackId, out var status))
        {
            return Task.FromResult(status);
        }

        return Task.FromException<RollbackStatus>(new KeyNotFoundException($"Rollback '{rollbackId}' is not known to this process."));
    }

    public async ValueTask<int> ResumeUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<string> candidates;
        if (_lockIsLocal)
        {
            candidates = _registry.TargetsWithUnfinished();
        }
        else
        {
            var entries = await Journal.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            candidates = JournalReplay.FindUnfinished(entries).Select(u => u.TargetId).Distinct(StringComparer.Ordinal).ToArray();
        }

        var taken = 0;
        foreach (var targetId in candidates)
        {
            var runtime = _registry.Runtime(targetId);
            await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // One after the other while none runs: those marked for attention end at once, a resumed one runs.
                while (runtime.Active is null)
                {
                    var handle = await _lock.TryAcquireAsync(targetId, cancellationToken).ConfigureAwait(false);
                    if (handle is null)
                    {
                        break;
                    }

                    var unfinished = await TakeUnfinishedAsync(runtime, targetId, cancellationToken).ConfigureAwait(false);
                    if (unfinished is null)
                    {
                        await handle.DisposeAsync().ConfigureAwait(false);
                        break;
                    }

                    var target = ResumeTarget(targetId, unfinished);
                    await _runner.AdoptAsync(runtime, target, unfinished, handle, cancellationToken).ConfigureAwait(false);
                    taken++;
                }
            }
            finally
            {
                runtime.Gate.Release();
            }
        }

        return taken;
    }

    /// <summary>Loads deduplication keys, attempts, cooldowns and unfinished rollbacks from the journal, once.</summary>
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

            var entries = await Journal.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var replay = JournalReplay.Replay(entries, Time.GetUtcNow(), _admission.AttemptWindow);
            LoadResets(entries);
            foreach (var sighting in replay.DeduplicationKeys)
            {
                _deduplication.Load(sighting.Key, sighting.RollbackId, sighting.SeenAt);
            }

            // A reset (journaled, or made here before this first read) holds against the older records.
            foreach (var (targetId, attempts) in replay.Attempts)
            {
                var reset = ResetAt(targetId);
                _registry.Runtime(targetId).Attempts.AddRange(attempts.Where(a => a > reset));
            }

            foreach (var (targetId, finished) in LastFinished(entries))
            {
                if (finished.CompletedAt > ResetAt(targetId))
                {
                    _registry.Runtime(targetId).LastFinished = finished;
                }
            }

            foreach (var entry in entries)
            {
                if (entry is { Kind: JournalEntryKind.AutoRollbackChanged, Enabled: { } on })
                {
                    _killSwitch.Apply(new KillSwitchChange(entry.TargetId == KillSwitch.GlobalKey ? null : entry.TargetId, on, entry.Actor ?? "unknown", entry.Message ?? string.Empty, entry.Timestamp));
                }
            }

            _deduplication.Purge(force: true);
            foreach (var unfinished in replay.Unfinished)
            {
                _registry.Runtime(unfinished.TargetId).Unfinished.Enqueue(unfinished);
                Log.FoundUnfinished(_logger, unfinished.RollbackId, unfinished.TargetId, unfinished.State);
            }

            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>Takes the latest journaled reset of each key (<see cref="JournalEntryKind.AttemptsReset"/>), keeping a later one known here.</summary>
    private void LoadResets(IReadOnlyList<JournalEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Kind == JournalEntryKind.AttemptsReset)
            {
                _resetAt.AddOrUpdate(entry.TargetId, static (_, at) => at, static (_, known, at) => at > known ? at : known, entry.Timestamp);
            }
        }
    }

    /// <summary>When the attempts and cooldown of <paramref name="key"/> were last reset (journaled or here), else the minimum.</summary>
    private DateTimeOffset ResetAt(string key) => _resetAt.TryGetValue(key, out var at) ? at : DateTimeOffset.MinValue;

    /// <summary>Each target's last rollback that ran to an end (rolled back or failed, of any origin), from the journal.</summary>
    private static Dictionary<string, FinishedRollback> LastFinished(IReadOnlyList<JournalEntry> entries)
    {
        var result = new Dictionary<string, FinishedRollback>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is { Kind: JournalEntryKind.Completed, RollbackId: { } id, Audit.State: RollbackState.RolledBack or RollbackState.RollbackFailed })
            {
                result[entry.TargetId] = new FinishedRollback(id, entry.Audit.State, entry.Timestamp);
            }
        }

        return result;
    }

    /// <summary>Returns (and forgets) the unfinished rollback of a target; with a shared lock the journal is re-read.</summary>
    private async ValueTask<UnfinishedRollback?> TakeUnfinishedAsync(TargetRuntime runtime, string targetId, CancellationToken cancellationToken)
    {
        if (_lockIsLocal)
        {
            return CheckGroup(runtime.Unfinished.TryDequeue(out var local) ? local : null);
        }

        runtime.Unfinished.Clear();

        // A group's rollback journals its members' records under their own ids: read them all.
        var entries = await Journal.ReadAsync(IsGroup(targetId) ? null : targetId, cancellationToken).ConfigureAwait(false);

        // Other processes journal their rollbacks of this target too: their last finished one and their attempts hold here.
        // (Records up to the latest reset, journaled by any process or made here, are left out.)
        var now = Time.GetUtcNow();
        LoadResets(entries);
        var reset = ResetAt(targetId);
        if (runtime.LastFinished is { } before && before.CompletedAt <= reset)
        {
            runtime.LastFinished = null;
        }

        if (LastFinished(entries).TryGetValue(targetId, out var finished) && finished.CompletedAt > reset
            && (runtime.LastFinished is not { } known || finished.CompletedAt > known.CompletedAt))
        {
            runtime.LastFinished = finished;
        }

        // This process journals each attempt before counting it, so the journal holds them all: it replaces the count.
        runtime.Attempts.Clear();
        foreach (var entry in entries)
        {
            if (entry is { Kind: JournalEntryKind.Requested, Request.TriggerType: not RollbackTriggerType.Manual } && _admission.StillCounts(entry.Timestamp, now)
                && entry.Timestamp > reset && string.Equals(entry.TargetId, targetId, StringComparison.Ordinal))
            {
                runtime.Attempts.Add(entry.Timestamp);
            }
        }

        return CheckGroup(JournalReplay.FindUnfinished(entries).LastOrDefault(u => string.Equals(u.TargetId, targetId, StringComparison.Ordinal) && !_registry.IsRunning(u.RollbackId)));
    }
}
