namespace RollbackKit.Metrics;

/// <summary>
/// Answers named metric queries for many targets at once. Implementations write one value per target into the
/// <see cref="MetricQueryBatch"/> (a number, no-data, or an error) and should not throw: an exception is caught by
/// the monitor and recorded as an error for every target of the batch, never passed into the engine.
/// </summary>
public interface IMetricSource
{
    /// <summary>Name of the source, matched by <see cref="MetricQueryDefinition.Source"/> (for example <c>prometheus</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Evaluates <see cref="MetricQueryBatch.Query"/> for every target of the batch at <see cref="MetricQueryBatch.Time"/>
    /// and records the outcome per target. Must honour <paramref name="cancellationToken"/>; the caller cancels it when
    /// <see cref="MetricQueryDefinition.Timeout"/> elapses.
    /// </summary>
    /// <param name="batch">The query, the targets and the memory to write results into.</param>
    /// <param name="cancellationToken">Cancelled on timeout or shutdown.</param>
    ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken);
}
