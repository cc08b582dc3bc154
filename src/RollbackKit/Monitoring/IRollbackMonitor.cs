namespace RollbackKit.Monitoring;

/// <summary>What one monitor tick did.</summary>
public readonly record struct MonitorTickResult
{
    /// <summary>The evaluation time.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>Number of verdicts written (targets × triggers; with sharding, owned targets × triggers).</summary>
    public int Verdicts { get; init; }

    /// <summary>
    /// Targets whose verdicts this replica acted on this tick: every target, or with sharding (<c>AddSharding()</c>) the
    /// targets of the shards this replica owns.
    /// </summary>
    public int OwnedTargets { get; init; }

    /// <summary>Triggers that fired this tick (dry-run included).</summary>
    public int Fired { get; init; }

    /// <summary>Rollback or alert requests sent to the dispatcher this tick.</summary>
    public int Dispatched { get; init; }

    /// <summary>Queries that returned at least one error this tick.</summary>
    public int QueryErrors { get; init; }

    /// <summary>
    /// Warnings the sources reported with this tick's answers (each naming its query), or <see langword="null"/> when
    /// there were none. The answers were used; the warnings are also logged and kept in the evidence of any request
    /// this tick sent.
    /// </summary>
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>Whether the tick was skipped because this replica is not the leader.</summary>
    public bool SkippedNotLeader { get; init; }
}

/// <summary>
/// Samples every metric query for every target (with sharding, every target of an owned shard), feeds the evaluation
/// engine and sends fired triggers to the dispatcher. Runs as a hosted service at <see cref="RollbackKitOptions.EvaluationInterval"/>; tests and tools can
/// also drive it tick by tick.
/// </summary>
public interface IRollbackMonitor
{
    /// <summary>Runs one tick now (queries, evaluation, dispatch).</summary>
    /// <param name="cancellationToken">Cancels the tick.</param>
    ValueTask<MonitorTickResult> TickAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts capturing the captured baselines of a target from now on (after a healthy deploy).</summary>
    /// <param name="targetId">The target id.</param>
    void StartBaselineCapture(string targetId);
}

/// <summary>
/// Decides whether this replica evaluates. When several controller replicas run, register an implementation (for
/// example the Kubernetes Lease one) so only the leader's monitor ticks. Default: always leader.
/// </summary>
public interface IMonitorLeadership
{
    /// <summary>Whether this replica is the leader now.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    ValueTask<bool> IsLeaderAsync(CancellationToken cancellationToken);
}
