using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// Answers <see cref="MetricHistory"/> requests with PromQL range queries (<c>/api/v1/query_range</c>), evaluated at
/// exactly the instants the monitor would have queried. With <see cref="MetricQueryDefinition.GroupBy"/> one request
/// answers every target; otherwise one request per target. Long ranges are split into requests of at most
/// <see cref="MaxStepsPerRequest"/> steps (Prometheus refuses more than 11,000 points per series). The reply is parsed
/// straight into the history (no DOM, no allocation per sample). A failed request is an error for the steps and targets
/// it covers, never no data.
/// </summary>
internal sealed class PrometheusHistorySource(
    PrometheusClient client,
    IOptions<PrometheusOptions> options,
    ILogger<PrometheusHistorySource> logger) : IMetricHistorySource
{
    /// <summary>Steps per request: under Prometheus' limit of 11,000 points per series, with room to spare.</summary>
    internal const int MaxStepsPerRequest = 10_000;

    /// <summary>The least time one range request is allowed (a range query takes longer than an instant one).</summary>
    internal static readonly TimeSpan MinimumRangeTimeout = TimeSpan.FromSeconds(60);

    private readonly PrometheusOptions _options = options.Value;

    public string Name => _options.SourceName;

    public async ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var query = history.Query;
        if (history.Step.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            history.SetErrorForAll(0, history.StepCount, $"query '{query.Name}': the step {history.Step} is not a whole number of milliseconds, which Prometheus cannot evaluate at");
            return;
        }

        if (!string.IsNullOrEmpty(query.GroupBy))
        {
            await QueryGroupedAsync(history, cancellationToken).ConfigureAwait(false);
            return;
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrency), CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, history.Targets.Count, parallel, async (target, token) =>
        {
            await QueryTargetAsync(history, target, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async ValueTask QueryGroupedAsync(MetricHistory history, CancellationToken cancellationToken)
    {
        var query = history.Query;
        string rendered;
        try
        {
            rendered = PromQLTemplate.Render(query.Expression, name => PromQLTargets.ResolveShared(history.Targets, name, _options.Interval, query.TargetLabel));
        }
        catch (FormatException ex)
        {
            Fail(history, -1, 0, history.StepCount, PrometheusErrorKind.BadData, $"query '{query.Name}' cannot be rendered: {ex.Message}");
            return;
        }

        var sink = new RangeSink(history, PromQLTargets.MapByLabel(history.Targets, query.TargetLabel), query.GroupBy!);
        await QueryChunksAsync(history, rendered, System.Text.Encoding.UTF8.GetBytes(query.GroupBy!), sink, -1, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask QueryTargetAsync(MetricHistory history, int target, CancellationToken cancellationToken)
    {
        var query = history.Query;
        var labels = history.Targets[target];
        string rendered;
        try
        {
            rendered = PromQLTemplate.Render(query.Expression, name => PromQLTargets.Resolve(labels, name, _options.Interval));
        }
        catch (FormatException ex)
        {
            Fail(history, target, 0, history.StepCount, PrometheusErrorKind.BadData, $"query '{query.Name}' cannot be rendered for target '{labels.Id}': {ex.Message}");
            return;
        }

        await QueryChunksAsync(history, rendered, default, new RangeSink(history, target), target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the range in requests of at most <see cref="MaxStepsPerRequest"/> steps; <paramref name="target"/> is -1 for all.</summary>
    private async ValueTask QueryChunksAsync(MetricHistory history, string rendered, ReadOnlyMemory<byte> matchLabel, RangeSink sink, int target, CancellationToken cancellationToken)
    {
        var query = history.Query;
        var timeout = query.Timeout > MinimumRangeTimeout ? query.Timeout : MinimumRangeTimeout;
        var whom = target < 0 ? string.Empty : $" for target '{history.Targets[target].Id}'";
        for (var first = 0; first < history.StepCount; first += MaxStepsPerRequest)
        {
            var count = Math.Min(MaxStepsPerRequest, history.StepCount - first);
            sink.Begin(first, count);
            var result = await client.QueryRangeAsync(
                rendered, history.TimeAt(first), history.TimeAt(first + count - 1), history.Step, timeout, matchLabel, sink, cancellationToken).ConfigureAwait(false);
            foreach (var warning in result.Warnings ?? [])
            {
                history.AddWarning($"query '{query.Name}': {warning}");
            }

            if (!result.IsSuccess)
            {
                Fail(history, target, first, count, result.ErrorKind, $"query '{query.Name}'{whom}: {result.Error}");
            }
            else if (result.ResultType is not (PrometheusResultType.Matrix or PrometheusResultType.None))
            {
                Fail(history, target, first, count, PrometheusErrorKind.BadData, $"query '{query.Name}'{whom} must return a range vector (matrix) from query_range, but returned a {result.ResultType}");
            }
            else
            {
                sink.ReportAmbiguous();
            }
        }
    }

    private void Fail(MetricHistory history, int target, int first, int count, PrometheusErrorKind kind, string message)
    {
        Log.QueryFailed(logger, history.Query.Name, kind, message);
        if (target < 0)
        {
            history.SetErrorForAll(first, count, message);
        }
        else
        {
            history.SetError(target, first, count, message);
        }
    }

    /// <summary>
    /// Writes each sample of a range reply into the history at its step: matched to targets by the <c>GroupBy</c> label, or
    /// all to one target. A second series for the same target and step is an error at that step (as live, where the
    /// instant query would have returned two series).
    /// </summary>
    internal sealed class RangeSink : IPrometheusSampleSink
    {
        private readonly MetricHistory _history;
        private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly string? _groupBy;
        private readonly int[] _single;
        private readonly long _fromMs;
        private readonly long _stepMs;
        private int _lastSeries = -1;
        private int[]? _lastTargets;
        private int _first;
        private int _count;
        private List<(int Target, int Step)>? _ambiguous;

        public RangeSink(MetricHistory history, Dictionary<string, int[]> map, string groupBy)
            : this(history, [])
        {
            _lookup = map.GetAlternateLookup<ReadOnlySpan<char>>();
            _groupBy = groupBy;
        }

        public RangeSink(MetricHistory history, int target)
            : this(history, [target])
        {
        }

        private RangeSink(MetricHistory history, int[] single)
        {
            _history = history;
            _single = single;
            _fromMs = history.From.ToUnixTimeMilliseconds();
            _stepMs = (long)history.Step.TotalMilliseconds;
        }

        public void Begin(int first, int count)
        {
            _first = first;
            _count = count;
            _lastSeries = -1;
            _lastTargets = null;
        }

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value)
        {
            var offset = (long)Math.Round(timestamp * 1000) - _fromMs;
            if (offset < 0 || offset % _stepMs != 0)
            {
                return;
            }

            var step = offset / _stepMs;
            if (step < _first || step >= _first + _count)
            {
                return;
            }

            var targets = Targets(seriesIndex, label, hasLabel);
            foreach (var target in targets)
            {
                var status = _history.GetStatuses(target)[(int)step];
                if (status == MetricSampleStatus.None)
                {
                    _history.SetValue(target, (int)step, value);
                }
                else
                {
                    (_ambiguous ??= []).Add((target, (int)step));
                }
            }
        }

        /// <summary>Records an error at each step where a target got more than one series.</summary>
        public void ReportAmbiguous()
        {
            if (_ambiguous is null)
            {
                return;
            }

            foreach (var (target, step) in _ambiguous)
            {
                var what = _groupBy is null
                    ? $"query '{_history.Query.Name}' returned more than one series for target '{_history.Targets[target].Id}'; exactly one is expected (aggregate it, for example with sum(...))"
                    : $"query '{_history.Query.Name}' returned more than one series with {_groupBy}=\"{_history.Targets[target].GetLabel(_history.Query.TargetLabel)}\"; aggregate by '{_groupBy}' so there is one per target";
                _history.SetError(target, step, 1, what);
            }

            _ambiguous = null;
        }

        private int[] Targets(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel)
        {
            if (_groupBy is null)
            {
                return _single;
            }

            if (seriesIndex == _lastSeries && _lastTargets is not null)
            {
                return _lastTargets;
            }

            _lastSeries = seriesIndex;
            _lastTargets = hasLabel && PromQLTargets.TryFind(_lookup, label, out var found) ? found : [];
            return _lastTargets;
        }
    }
}
