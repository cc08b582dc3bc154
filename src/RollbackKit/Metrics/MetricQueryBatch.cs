namespace RollbackKit.Metrics;

/// <summary>Outcome of one query for one target (one byte, so the per-target status columns stay small).</summary>
public enum MetricSampleStatus : byte
{
    /// <summary>Nothing recorded yet (treated as no data).</summary>
    None = 0,

    /// <summary>A value was read (it may still be NaN if the source returned NaN).</summary>
    Value = 1,

    /// <summary>The source answered, but had no sample for this target.</summary>
    NoData = 2,

    /// <summary>The source failed for this target (unreachable, timeout, bad response, ambiguous result).</summary>
    Error = 3,
}

/// <summary>
/// One query for a set of targets, with preallocated memory for the answers. Created once per query by the monitor
/// and reused every tick; a source writes its answers with <see cref="SetValue"/>, <see cref="SetNoData"/> and
/// <see cref="SetError"/>.
/// </summary>
public sealed class MetricQueryBatch
{
    private readonly double[] _values;
    private readonly MetricSampleStatus[] _statuses;
    private readonly Lock _warningsLock = new();
    private List<string>? _warnings;

    /// <summary>Creates a batch for <paramref name="targets"/>.</summary>
    /// <param name="query">The query definition.</param>
    /// <param name="targets">Targets answered by this batch, in engine order.</param>
    public MetricQueryBatch(MetricQueryDefinition query, IReadOnlyList<RollbackTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(targets);
        Query = query;
        Targets = targets;
        _values = new double[targets.Count];
        _statuses = new MetricSampleStatus[targets.Count];
        Reset(default);
    }

    /// <summary>The query to evaluate.</summary>
    public MetricQueryDefinition Query { get; }

    /// <summary>The targets, index-aligned with <see cref="Values"/> and <see cref="Statuses"/>.</summary>
    public IReadOnlyList<RollbackTarget> Targets { get; }

    /// <summary>The evaluation time (sources that support it query at exactly this instant).</summary>
    public DateTimeOffset Time { get; private set; }

    /// <summary>Values per target; <see cref="double.NaN"/> where no value was recorded.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>Status per target.</summary>
    public ReadOnlySpan<MetricSampleStatus> Statuses => _statuses;

    /// <summary>The first error message recorded in this tick, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Warnings the source reported with its answers this tick (for example Prometheus' <c>warnings</c>), each naming
    /// the query; <see langword="null"/> when there were none. The answers still count; the warnings are kept with the
    /// tick's result and with the evidence of a request the tick sends.
    /// </summary>
    public IReadOnlyList<string>? Warnings => _warnings;

    /// <summary>Records a warning about this tick's answers (thread-safe; a repeated warning is kept once).</summary>
    /// <param name="message">The warning, naming the query, without secrets.</param>
    public void AddWarning(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_warningsLock)
        {
            var warnings = _warnings ??= [];
            if (!warnings.Contains(message))
            {
                warnings.Add(message);
            }
        }
    }

    /// <summary>Records a value for the target at <paramref name="targetIndex"/>.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    /// <param name="value">The value.</param>
    public void SetValue(int targetIndex, double value)
    {
        _values[targetIndex] = value;
        _statuses[targetIndex] = MetricSampleStatus.Value;
    }

    /// <summary>Records that the source had no sample for the target.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    public void SetNoData(int targetIndex)
    {
        _values[targetIndex] = double.NaN;
        _statuses[targetIndex] = MetricSampleStatus.NoData;
    }

    /// <summary>Records an error for the target.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    /// <param name="message">What went wrong, without secrets.</param>
    public void SetError(int targetIndex, string message)
    {
        _values[targetIndex] = double.NaN;
        _statuses[targetIndex] = MetricSampleStatus.Error;
        Error ??= message;
    }

    /// <summary>Records an error for every target of the batch.</summary>
    /// <param name="message">What went wrong, without secrets.</param>
    public void SetErrorForAll(string message)
    {
        Array.Fill(_values, double.NaN);
        Array.Fill(_statuses, MetricSampleStatus.Error);
        Error ??= message;
    }

    /// <summary>Records no-data for every target that has no outcome yet.</summary>
    public void SetNoDataForUnanswered()
    {
        for (var i = 0; i < _statuses.Length; i++)
        {
            if (_statuses[i] == MetricSampleStatus.None)
            {
                _statuses[i] = MetricSampleStatus.NoData;
            }
        }
    }

    /// <summary>Clears all outcomes and sets the evaluation time; called by the monitor before each tick.</summary>
    /// <param name="time">The evaluation time.</param>
    public void Reset(DateTimeOffset time)
    {
        Time = time;
        Error = null;
        _warnings = null;
        Array.Fill(_values, double.NaN);
        Array.Clear(_statuses);
    }
}
