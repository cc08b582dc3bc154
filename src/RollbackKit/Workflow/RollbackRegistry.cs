using System.Collections.Concurrent;

namespace RollbackKit.Workflow;

/// <summary>
/// What this process knows about rollbacks: per-target state (its gate, active run, attempts, last completion), the runs
/// pending or running, and the statuses of the most recent finished ones.
/// </summary>
internal sealed class RollbackRegistry
{
    private const int MaxRecentStatuses = 1024;
    private readonly ConcurrentDictionary<string, TargetRuntime> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkflowRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RollbackStatus> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _finishedOrder = new();

    /// <summary>The state of a target, created on first use.</summary>
    public TargetRuntime Runtime(string targetId) => _targets.GetOrAdd(targetId, static _ => new TargetRuntime());

    /// <summary>The state of a target, when this process has any.</summary>
    public bool TryGetRuntime(string targetId, out TargetRuntime runtime) => _targets.TryGetValue(targetId, out runtime!);

    /// <summary>Ids of the targets with an unfinished rollback from the journal not yet taken over.</summary>
    public string[] TargetsWithUnfinished()
    {
        var ids = new List<string>();
        foreach (var (id, runtime) in _targets)
        {
            if (runtime.Unfinished.Count > 0)
            {
                ids.Add(id);
            }
        }

        return [.. ids];
    }

    /// <summary>Whether the run is pending or running in this process.</summary>
    public bool IsRunning(string rollbackId) => _runs.ContainsKey(rollbackId);

    /// <summary>Tracks a run as the target's active one.</summary>
    public void Track(TargetRuntime runtime, WorkflowRun run)
    {
        runtime.Active = run;
        _runs[run.RollbackId] = run;
    }

    /// <summary>Stops tracking a run; when it ended, remembers its final status.</summary>
    public RollbackStatus Untrack(TargetRuntime runtime, WorkflowRun run)
    {
        if (ReferenceEquals(runtime.Active, run))
        {
            runtime.Active = null;
        }

        var status = run.ToStatus();
        runtime.Last = status;
        _runs.TryRemove(run.RollbackId, out _);
        if (run.State.IsTerminal())
        {
            Remember(status);
        }

        return status;
    }

    /// <summary>Remembers a final status (bounded to the most recent ones).</summary>
    public void Remember(RollbackStatus status)
    {
        _finished[status.RollbackId] = status;
        _finishedOrder.Enqueue(status.RollbackId);
        while (_finishedOrder.Count > MaxRecentStatuses && _finishedOrder.TryDequeue(out var old))
        {
            _finished.TryRemove(old, out _);
        }
    }

    /// <summary>The rollbacks pending or running.</summary>
    public IReadOnlyList<RollbackStatus> Active()
    {
        var list = new List<RollbackStatus>(_runs.Count);
        foreach (var run in _runs.Values)
        {
            list.Add(run.ToStatus());
        }

        return list;
    }

    /// <summary>The runs pending or running, with their live progress.</summary>
    public WorkflowRun[] ActiveRuns() => [.. _runs.Values];

    /// <summary>A run pending or running.</summary>
    public bool TryGetRun(string rollbackId, out WorkflowRun run) => _runs.TryGetValue(rollbackId, out run!);

    /// <summary>A recently finished rollback's final status.</summary>
    public bool TryGetFinished(string rollbackId, out RollbackStatus status) => _finished.TryGetValue(rollbackId, out status!);
}
