using RollbackKit.Metrics;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// Stands in for a live <see cref="IMetricSource"/> during a replay: answers each query at the batch's time from the
/// history fetched for it (a value, no data, or the error the history source recorded).
/// </summary>
internal sealed class ReplaySource(string name) : IMetricSource
{
    private readonly Dictionary<MetricQueryDefinition, MetricHistory> _histories = new(ReferenceEqualityComparer.Instance);

    public string Name { get; } = name;

    public void Add(MetricHistory history) => _histories[history.Query] = history;

    public ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var history = _histories[batch.Query];
        var step = history.StepAt(batch.Time);
        if (step < 0)
        {
            batch.SetErrorForAll($"query '{batch.Query.Name}' has no history at {batch.Time:O}");
            return default;
        }

        for (var t = 0; t < batch.Targets.Count; t++)
        {
            switch (history.GetStatuses(t)[step])
            {
                case MetricSampleStatus.Value:
                    batch.SetValue(t, history.GetValues(t)[step]);
                    break;
                case MetricSampleStatus.Error:
                    batch.SetError(t, history.GetError(t, step) ?? "source error");
                    break;
                default:
                    batch.SetNoData(t);
                    break;
            }
        }

        return default;
    }
}
