using RollbackKit.Metrics;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// Stands in for a history source while judges are replayed: each judge query's history over the whole replayed range
/// (every window of every judgement) is fetched once up front, and each judgement's window query is then answered from it.
/// A window that is not on the fetched grid (an interval that is not a multiple of the judge's step) is passed to the
/// real source, as the live judge would have queried it.
/// </summary>
internal sealed class JudgeHistorySource(IMetricHistorySource inner) : IMetricHistorySource
{
    private readonly Dictionary<string, MetricHistory> _fetched = new(StringComparer.Ordinal);

    public string Name => inner.Name;

    /// <summary>The histories fetched up front, for their errors and warnings.</summary>
    public IEnumerable<MetricHistory> Fetched => _fetched.Values;

    /// <summary>Fetches <paramref name="history"/> from the real source; later windows of its query are cut from it.</summary>
    public async Task FetchAsync(MetricHistory history, CancellationToken cancellationToken)
    {
        await Backtester.FetchAsync(inner, history, cancellationToken).ConfigureAwait(false);
        _fetched[history.Query.Name] = history;
    }

    public ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (!_fetched.TryGetValue(history.Query.Name, out var fetched) || !TryCopy(fetched, history))
        {
            return inner.QueryRangeAsync(history, cancellationToken);
        }

        return default;
    }

    /// <summary>Copies the window from the fetched history when it lies on its grid, for the same targets.</summary>
    private static bool TryCopy(MetricHistory fetched, MetricHistory window)
    {
        if (fetched.Step != window.Step || !SameTargets(fetched.Targets, window.Targets))
        {
            return false;
        }

        var offset = fetched.StepAt(window.From);
        if (offset < 0 || offset + window.StepCount > fetched.StepCount)
        {
            return false;
        }

        for (var t = 0; t < window.Targets.Count; t++)
        {
            var statuses = fetched.GetStatuses(t).Slice(offset, window.StepCount);
            var values = fetched.GetValues(t).Slice(offset, window.StepCount);
            for (var k = 0; k < statuses.Length; k++)
            {
                switch (statuses[k])
                {
                    case MetricSampleStatus.Value:
                        window.SetValue(t, k, values[k]);
                        break;
                    case MetricSampleStatus.Error:
                        window.SetError(t, k, 1, fetched.GetError(t, offset + k) ?? "source error");
                        break;
                    default:
                        window.SetNoData(t, k);
                        break;
                }
            }
        }

        return true;
    }

    private static bool SameTargets(IReadOnlyList<RollbackTarget> a, IReadOnlyList<RollbackTarget> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
