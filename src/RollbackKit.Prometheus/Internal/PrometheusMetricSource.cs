using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// Answers <see cref="MetricQueryDefinition"/>s with PromQL instant queries at the batch's evaluation time.
/// With <see cref="MetricQueryDefinition.GroupBy"/> one request answers every target; otherwise one request per target.
/// </summary>
internal sealed class PrometheusMetricSource : IMetricSource
{
    private readonly PrometheusClient _client;
    private readonly PrometheusOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PrometheusInstrumentation _instrumentation;
    private readonly ConditionalWeakTable<MetricQueryBatch, BatchPlan> _plans = new();

    // Label maps shared by the grouped queries over one target list (one map per target label), not one per query.
    private readonly ConditionalWeakTable<IReadOnlyList<RollbackTarget>, Dictionary<string, TargetLabelMap>> _labelMaps = new();

    public PrometheusMetricSource(
        PrometheusClient client,
        IOptions<PrometheusOptions> options,
        TimeProvider time,
        ILogger<PrometheusMetricSource> logger,
        PrometheusInstrumentation instrumentation)
    {
        _client = client;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _instrumentation = instrumentation;
    }

    public string Name => _options.SourceName;

    public async ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var query = batch.Query;
        var time = batch.Time == default ? _time.GetUtcNow() : batch.Time;
        var plan = GetPlan(batch);
        var started = _time.GetTimestamp();
        try
        {
            if (plan.GroupBy is not null)
            {
                await QueryGroupedAsync(batch, plan, time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await QueryPerTargetAsync(batch, plan, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Never throw into the engine: anything unexpected is an error for every target.
            var message = $"query '{query.Name}' failed: {ex.GetType().Name}: {ex.Message}";
            batch.SetErrorForAll(message);
            RecordError(query.Name, PrometheusErrorKind.Malformed, message);
        }
        finally
        {
            _instrumentation.QueryDuration.Record(
                _time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>(PrometheusInstrumentation.QueryTag, query.Name));
        }
    }

    private async ValueTask QueryGroupedAsync(MetricQueryBatch batch, BatchPlan plan, DateTimeOffset time, CancellationToken cancellationToken)
    {
        if (plan.GroupedQuery is null)
        {
            batch.SetErrorForAll(plan.GroupedError!);
            RecordError(batch.Query.Name, PrometheusErrorKind.BadData, plan.GroupedError!);
            return;
        }

        if (plan.NothingToAsk)
        {
            batch.SetNoDataForUnanswered();
            return;
        }

        var sink = plan.GroupSink!;
        sink.Begin(batch);
        var result = await _client.QueryAsync(plan.GroupedQuery, time, TimeoutOf(batch.Query), plan.GroupBy!, sink, cancellationToken).ConfigureAwait(false);
        AddWarnings(batch, result);
        if (!result.IsSuccess)
        {
            var message = $"query '{batch.Query.Name}': {result.Error}";
            batch.SetErrorForAll(message);
            RecordError(batch.Query.Name, result.ErrorKind, message);
            return;
        }

        if (result.ResultType is not (PrometheusResultType.Vector or PrometheusResultType.None))
        {
            var message = $"query '{batch.Query.Name}' with GroupBy '{batch.Query.GroupBy}' must return an instant vector, but returned a {Describe(result.ResultType)}";
            batch.SetErrorForAll(message);
            RecordError(batch.Query.Name, PrometheusErrorKind.BadData, message);
            return;
        }

        if (sink.Repeated is { } repeated)
        {
            foreach (var (i, count) in repeated)
            {
                batch.SetError(i, $"query '{batch.Query.Name}' returned {count} series with {batch.Query.GroupBy}=\"{batch.Targets[i].GetLabel(batch.Query.TargetLabel)}\"; aggregate by '{batch.Query.GroupBy}' so there is one per target");
            }
        }

        // A target missing from the vector has no data; it is not zero.
        batch.SetNoDataForUnanswered();
    }

    private async ValueTask QueryPerTargetAsync(MetricQueryBatch batch, BatchPlan plan, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var count = batch.Targets.Count;
        if (count == 0)
        {
            return;
        }

        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrency),
            CancellationToken = cancellationToken,
        };
        var state = (Source: this, Batch: batch, Plan: plan, Time: time);
        await Parallel.ForAsync(0, count, parallel, async (index, token) =>
        {
            await state.Source.QueryOneAsync(state.Batch, state.Plan, index, state.Time, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async ValueTask QueryOneAsync(MetricQueryBatch batch, BatchPlan plan, int index, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var query = batch.Query;
        var target = batch.Targets[index];
        var rendered = plan.PerTargetQueries![index];
        if (rendered is null)
        {
            var message = plan.PerTargetErrors![index]!;
            batch.SetError(index, message);
            RecordError(query.Name, PrometheusErrorKind.BadData, message);
            return;
        }

        var sink = plan.PerTargetSinks![index];
        sink.Reset();
        var result = await _client.QueryAsync(rendered, time, TimeoutOf(query), default, sink, cancellationToken).ConfigureAwait(false);
        AddWarnings(batch, result);
        if (!result.IsSuccess)
        {
            var message = $"query '{query.Name}' for target '{target.Id}': {result.Error}";
            batch.SetError(index, message);
            RecordError(query.Name, result.ErrorKind, message);
            return;
        }

        switch (result.ResultType)
        {
            case PrometheusResultType.Vector or PrometheusResultType.Scalar or PrometheusResultType.None:
                if (result.SeriesCount == 0 || !sink.HasValue)
                {
                    batch.SetNoData(index);
                }
                else if (result.SeriesCount > 1)
                {
                    var message = string.Create(CultureInfo.InvariantCulture, $"query '{query.Name}' returned {result.SeriesCount} series for target '{target.Id}'; exactly one is expected (aggregate it, for example with sum(...))");
                    batch.SetError(index, message);
                    RecordError(query.Name, PrometheusErrorKind.BadData, message);
                }
                else
                {
                    batch.SetValue(index, sink.Value);
                }

                break;
            default:
            {
                var message = $"query '{query.Name}' must return an instant vector or a scalar, but returned a {Describe(result.ResultType)}";
                batch.SetError(index, message);
                RecordError(query.Name, PrometheusErrorKind.BadData, message);
                break;
            }
        }
    }

    /// <summary>Keeps Prometheus' warnings with the tick's answers, naming the query (repeats are kept once).</summary>
    private static void AddWarnings(MetricQueryBatch batch, in PrometheusQueryResult result)
    {
        if (result.Warnings is not { Count: > 0 } warnings)
        {
            return;
        }

        foreach (var warning in warnings)
        {
            batch.AddWarning($"query '{batch.Query.Name}': {warning}");
        }
    }

    private static TimeSpan TimeoutOf(MetricQueryDefinition query) =>
        query.Timeout > TimeSpan.Zero ? query.Timeout : TimeSpan.FromSeconds(5);

    private static string Describe(PrometheusResultType type) => type switch
    {
        PrometheusResultType.Matrix => "range vector (matrix)",
        PrometheusResultType.String => "string",
        PrometheusResultType.Scalar => "scalar",
        _ => "vector",
    };

    private void RecordError(string queryName, PrometheusErrorKind kind, string message)
    {
        Log.QueryFailed(_logger, queryName, kind, message);
        _instrumentation.QueryErrors.Add(
            1,
            new KeyValuePair<string, object?>(PrometheusInstrumentation.QueryTag, queryName),
            new KeyValuePair<string, object?>(PrometheusInstrumentation.KindTag, kind.ToString()));
    }

    private BatchPlan GetPlan(MetricQueryBatch batch)
    {
        if (_plans.TryGetValue(batch, out var plan) && plan.IsFor(batch.Query))
        {
            return plan;
        }

        plan = BuildPlan(batch);
        _plans.AddOrUpdate(batch, plan);
        return plan;
    }

    private BatchPlan BuildPlan(MetricQueryBatch batch)
    {
        var query = batch.Query;
        var plan = new BatchPlan(query.Expression, query.GroupBy, query.TargetLabel);
        var targets = batch.Targets;
        if (!string.IsNullOrEmpty(query.GroupBy))
        {
            plan.GroupBy = Encoding.UTF8.GetBytes(query.GroupBy);
            try
            {
                var noTargets = false;
                plan.GroupedQuery = PromQLTemplate.Render(query.Expression, name =>
                {
                    var value = PromQLTargets.ResolveShared(targets, name, _options.Interval, query.TargetLabel);
                    noTargets |= name == PromQLTargets.TargetsPlaceholder && value!.Length == 0;
                    return value;
                });

                // '{{targets}}' with no target label to match: nothing to ask, and an empty regex would match unlabelled series.
                plan.NothingToAsk = noTargets;
            }
            catch (FormatException ex)
            {
                plan.GroupedError = $"query '{query.Name}' cannot be rendered: {ex.Message}";
                Log.QueryNotRenderable(_logger, query.Name, plan.GroupedError);
            }

            plan.GroupSink = new GroupSink(LabelMap(targets, query.TargetLabel), targets.Count);
            return plan;
        }

        plan.PerTargetQueries = new string?[targets.Count];
        plan.PerTargetErrors = new string?[targets.Count];
        plan.PerTargetSinks = new SingleSink[targets.Count];
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            plan.PerTargetSinks[i] = new SingleSink();
            try
            {
                plan.PerTargetQueries[i] = PromQLTemplate.Render(query.Expression, name => Resolve(target, name));
            }
            catch (FormatException ex)
            {
                plan.PerTargetErrors[i] = $"query '{query.Name}' cannot be rendered for target '{target.Id}': {ex.Message}";
                Log.QueryNotRenderable(_logger, query.Name, plan.PerTargetErrors[i]!);
            }
        }

        return plan;
    }

    private TargetLabelMap LabelMap(IReadOnlyList<RollbackTarget> targets, string targetLabel)
    {
        var maps = _labelMaps.GetValue(targets, static _ => new Dictionary<string, TargetLabelMap>(StringComparer.Ordinal));
        lock (maps)
        {
            if (!maps.TryGetValue(targetLabel, out var map))
            {
                maps[targetLabel] = map = TargetLabelMap.Create(targets, targetLabel);
            }

            return map;
        }
    }

    private string? Resolve(RollbackTarget target, string name) => PromQLTargets.Resolve(target, name, _options.Interval);

    private sealed class BatchPlan(string expression, string? groupBy, string targetLabel)
    {
        public byte[]? GroupBy { get; set; }

        public string? GroupedQuery { get; set; }

        public string? GroupedError { get; set; }

        public GroupSink? GroupSink { get; set; }

        /// <summary>The query uses <c>{{targets}}</c> but no target of the batch has the target label: no request is sent.</summary>
        public bool NothingToAsk { get; set; }

        public string?[]? PerTargetQueries { get; set; }

        public string?[]? PerTargetErrors { get; set; }

        public SingleSink[]? PerTargetSinks { get; set; }

        public bool IsFor(MetricQueryDefinition query) =>
            string.Equals(expression, query.Expression, StringComparison.Ordinal)
            && string.Equals(groupBy, string.IsNullOrEmpty(query.GroupBy) ? null : query.GroupBy, StringComparison.Ordinal)
            && string.Equals(targetLabel, query.TargetLabel, StringComparison.Ordinal);
    }

    /// <summary>
    /// Matches each series to targets by the value of the GroupBy label, without allocating a string. One bit per target
    /// marks the targets answered in this reply; the counts of targets answered more than once are kept aside.
    /// </summary>
    private sealed class GroupSink : IPrometheusSampleSink
    {
        private readonly TargetLabelMap _map;
        private readonly ulong[] _answered;
        private MetricQueryBatch? _batch;

        public GroupSink(TargetLabelMap map, int targetCount)
        {
            _map = map;
            _answered = new ulong[(targetCount + 63) / 64];
        }

        /// <summary>Targets that more than one series answered in this reply, with how many; <see langword="null"/> when none.</summary>
        public Dictionary<int, int>? Repeated { get; private set; }

        public void Begin(MetricQueryBatch batch)
        {
            _batch = batch;
            Array.Clear(_answered);
            Repeated = null;
        }

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value)
        {
            if (!hasLabel || _batch is null)
            {
                return;
            }

            var count = _map.Find(label, out var first);
            if (count == 0)
            {
                return;
            }

            if (count == 1)
            {
                Answer(first, value);
                return;
            }

            foreach (var index in _map.Targets(first, count))
            {
                Answer(index, value);
            }
        }

        private void Answer(int index, double value)
        {
            ref var word = ref _answered[index >> 6];
            var bit = 1UL << (index & 63);
            if ((word & bit) != 0)
            {
                var repeated = Repeated ??= [];
                repeated[index] = repeated.TryGetValue(index, out var seen) ? seen + 1 : 2;
            }

            word |= bit;
            _batch!.SetValue(index, value);
        }
    }

    /// <summary>Keeps the value of a single-series result.</summary>
    private sealed class SingleSink : IPrometheusSampleSink
    {
        public bool HasValue { get; private set; }

        public double Value { get; private set; }

        public void Reset()
        {
            HasValue = false;
            Value = double.NaN;
        }

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value)
        {
            HasValue = true;
            Value = value;
        }
    }
}
