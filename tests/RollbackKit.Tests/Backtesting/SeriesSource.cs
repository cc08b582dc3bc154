using RollbackKit.Backtesting;
using RollbackKit.Metrics;

namespace RollbackKit.Tests.Backtesting;

/// <summary>One sample of a scripted series: a value, no data, or a source error.</summary>
internal readonly record struct Sample(MetricSampleStatus Status, double Value)
{
    public static Sample Of(double value) => new(MetricSampleStatus.Value, value);

    public static readonly Sample NoData = new(MetricSampleStatus.NoData, double.NaN);

    public static readonly Sample Error = new(MetricSampleStatus.Error, double.NaN);
}

/// <summary>
/// The same scripted series answered live (an <see cref="IMetricSource"/> at the batch's time) and as history (an
/// <see cref="IMetricHistorySource"/> at every step), so a backtest and a live run read identical data.
/// </summary>
internal sealed class SeriesSource(string name, Func<string, string, DateTimeOffset, Sample> sample) : IMetricSource, IMetricHistorySource
{
    public string Name { get; } = name;

    public int RangeQueries { get; private set; }

    /// <summary>The scripted answer for a query name, target id and instant.</summary>
    public Func<string, string, DateTimeOffset, Sample> Answer => sample;

    public ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
    {
        for (var t = 0; t < batch.Targets.Count; t++)
        {
            var s = sample(batch.Query.Name, batch.Targets[t].Id, batch.Time);
            switch (s.Status)
            {
                case MetricSampleStatus.Value: batch.SetValue(t, s.Value); break;
                case MetricSampleStatus.Error: batch.SetError(t, $"query '{batch.Query.Name}' failed"); break;
                default: batch.SetNoData(t); break;
            }
        }

        return default;
    }

    public ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken)
    {
        RangeQueries++;
        for (var t = 0; t < history.Targets.Count; t++)
        {
            for (var k = 0; k < history.StepCount; k++)
            {
                var s = sample(history.Query.Name, history.Targets[t].Id, history.TimeAt(k));
                switch (s.Status)
                {
                    case MetricSampleStatus.Value: history.SetValue(t, k, s.Value); break;
                    case MetricSampleStatus.Error: history.SetError(t, k, 1, $"query '{history.Query.Name}' failed"); break;
                    default: history.SetNoData(t, k); break;
                }
            }
        }

        return default;
    }
}
