namespace RollbackKit.Journal;

/// <summary>Statistics over finished rollbacks.</summary>
public sealed class RollbackStatistics
{
    /// <summary>Finished rollbacks counted.</summary>
    public int Total { get; init; }

    /// <summary>Rolled back and verified.</summary>
    public int Succeeded { get; init; }

    /// <summary>Playbook or verification failed.</summary>
    public int Failed { get; init; }

    /// <summary>Rejected by an approver or not approved in time.</summary>
    public int Rejected { get; init; }

    /// <summary><see cref="Succeeded"/> / (<see cref="Succeeded"/> + <see cref="Failed"/>), or <see langword="null"/> when none ran.</summary>
    public double? SuccessRate { get; init; }

    /// <summary>Rollbacks per cause: the trigger name for metric triggers, otherwise the request type.</summary>
    public IReadOnlyDictionary<string, int> Causes { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Mean time from the condition first failing to detection (metric triggers with evidence), when known.</summary>
    public TimeSpan? MeanTimeToDetect { get; init; }

    /// <summary>Mean time from detection to a verified rollback, over succeeded rollbacks.</summary>
    public TimeSpan? MeanTimeToRollback { get; init; }

    /// <summary>95th percentile (nearest rank) of the time to detect, over the same rollbacks as <see cref="MeanTimeToDetect"/>.</summary>
    public TimeSpan? P95TimeToDetect { get; init; }

    /// <summary>95th percentile (nearest rank) of the time to roll back, over the same rollbacks as <see cref="MeanTimeToRollback"/>.</summary>
    public TimeSpan? P95TimeToRollback { get; init; }

    /// <summary>Finished rollbacks requested by a person (manual requests).</summary>
    public int Manual { get; init; }

    /// <summary>Finished rollbacks requested by anything else (triggers, incidents, policy breaches, alerts).</summary>
    public int Automatic { get; init; }
}

/// <summary>Queries over the journal's audit records.</summary>
public interface IRollbackHistory
{
    /// <summary>Finished rollbacks, oldest first.</summary>
    /// <param name="targetId">Only this target; <see langword="null"/> for all.</param>
    /// <param name="since">Only rollbacks requested at or after this time.</param>
    /// <param name="until">Only rollbacks requested before this time.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    ValueTask<IReadOnlyList<RollbackAuditRecord>> GetRollbacksAsync(string? targetId = null, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default);

    /// <summary>Statistics over the same selection as <see cref="GetRollbacksAsync"/>.</summary>
    /// <param name="targetId">Only this target; <see langword="null"/> for all.</param>
    /// <param name="since">Only rollbacks requested at or after this time.</param>
    /// <param name="until">Only rollbacks requested before this time.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    ValueTask<RollbackStatistics> GetStatisticsAsync(string? targetId = null, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default);
}
