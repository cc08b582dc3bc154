namespace RollbackKit.Metrics;

/// <summary>
/// Answers named metric queries over a time range for many targets at once (for example Prometheus'
/// <c>/api/v1/query_range</c>): the history a backtest replays. The range counterpart of
/// <see cref="Metrics.IMetricSource"/>, matched to queries by the same <see cref="Name"/>.
/// </summary>
public interface IMetricHistorySource
{
    /// <summary>Name of the source, matched by <see cref="Metrics.MetricQueryDefinition.Source"/> (for example <c>prometheus</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Evaluates <see cref="MetricHistory.Query"/> for every target of <paramref name="history"/> at every step from
    /// <see cref="MetricHistory.From"/> and records each outcome (a value, no data, or an error). A failure is recorded as
    /// an error for the steps and targets it concerns, never as no data; a source should not throw (an exception is
    /// recorded as an error for every step and target).
    /// </summary>
    /// <param name="history">The query, the targets, the steps and the memory to write results into.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken);
}
