namespace RollbackKit.Monitoring;

/// <summary>
/// Whether the monitor is alive: when it started, when its last tick completed and what each query answered in the last
/// tick that queried. Registered by <c>AddRollbackKit</c>; implemented by the monitor. Health checks read it.
/// </summary>
public interface IMonitorHeartbeat
{
    /// <summary>A snapshot of the monitor's liveness now (thread-safe; safe to call while the monitor ticks).</summary>
    MonitorHeartbeat Read();
}

/// <summary>A snapshot of the monitor's liveness (<see cref="IMonitorHeartbeat.Read"/>).</summary>
public sealed class MonitorHeartbeat
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="evaluationInterval">How often the monitor ticks.</param>
    /// <param name="disabledReason">Why the monitor does not tick, or <see langword="null"/> when it runs.</param>
    /// <param name="startedAt">When the hosted monitor loop started, or <see langword="null"/> before it started.</param>
    /// <param name="lastTickCompletedAt">When the last tick completed, or <see langword="null"/> before the first.</param>
    /// <param name="lastTickSkippedNotLeader">Whether the last tick was skipped because this replica is not the leader.</param>
    /// <param name="lastQueriedAt">Evaluation time of the last tick that ran the queries, or <see langword="null"/> before the first.</param>
    /// <param name="queries">What each query answered in that tick; empty before the first.</param>
    public MonitorHeartbeat(
        TimeSpan evaluationInterval,
        string? disabledReason,
        DateTimeOffset? startedAt,
        DateTimeOffset? lastTickCompletedAt,
        bool lastTickSkippedNotLeader,
        DateTimeOffset? lastQueriedAt,
        IReadOnlyList<MonitorQueryOutcome> queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        EvaluationInterval = evaluationInterval;
        DisabledReason = disabledReason;
        StartedAt = startedAt;
        LastTickCompletedAt = lastTickCompletedAt;
        LastTickSkippedNotLeader = lastTickSkippedNotLeader;
        LastQueriedAt = lastQueriedAt;
        Queries = queries;
    }

    /// <summary>How often the monitor ticks (<c>RollbackKit:EvaluationInterval</c>).</summary>
    public TimeSpan EvaluationInterval { get; }

    /// <summary>
    /// Why the monitor does not tick (<c>RollbackKit:MonitorEnabled</c> is false, or there are no targets or no triggers),
    /// or <see langword="null"/> when it runs.
    /// </summary>
    public string? DisabledReason { get; }

    /// <summary>When the hosted monitor loop started, or <see langword="null"/> before it started (or when driven by hand only).</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary>When the last tick completed (a tick skipped on a replica that is not the leader counts), or <see langword="null"/>.</summary>
    public DateTimeOffset? LastTickCompletedAt { get; }

    /// <summary>Whether the last tick was skipped because this replica is not the leader (its sources were not queried).</summary>
    public bool LastTickSkippedNotLeader { get; }

    /// <summary>Evaluation time of the last tick that ran the queries, or <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastQueriedAt { get; }

    /// <summary>What each query answered in the last tick that ran the queries, in configuration order; empty before the first.</summary>
    public IReadOnlyList<MonitorQueryOutcome> Queries { get; }
}

/// <summary>What one query answered in a tick.</summary>
public sealed class MonitorQueryOutcome
{
    /// <summary>Creates an outcome.</summary>
    /// <param name="query">The query name.</param>
    /// <param name="source">The name of the source that answered it.</param>
    /// <param name="error">The first error the query recorded, or <see langword="null"/> when it answered.</param>
    public MonitorQueryOutcome(string query, string source, string? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(source);
        Query = query;
        Source = source;
        Error = error;
    }

    /// <summary>The query name.</summary>
    public string Query { get; }

    /// <summary>The name of the source that answered it.</summary>
    public string Source { get; }

    /// <summary>The first error the query recorded (as the source reported it), or <see langword="null"/> when it answered.</summary>
    public string? Error { get; }
}
