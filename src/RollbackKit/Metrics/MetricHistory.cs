namespace RollbackKit.Metrics;

/// <summary>
/// One query's history for a set of targets: a value, no data or an error per target and step, where step <c>k</c> is the
/// instant <see cref="From"/> + <c>k</c> × <see cref="Step"/>. An <see cref="IMetricHistorySource"/> writes it; a
/// backtest reads it step by step as the monitor would have read the source live.
/// </summary>
public sealed class MetricHistory
{
    private readonly double[] _values;
    private readonly MetricSampleStatus[] _statuses;
    private readonly List<ErrorSpan> _errorSpans = [];
    private readonly List<string> _errors = [];
    private readonly Lock _lock = new();
    private List<string>? _warnings;

    /// <summary>Creates an empty history (every step of every target unanswered).</summary>
    /// <param name="query">The query.</param>
    /// <param name="targets">The targets, in engine order.</param>
    /// <param name="from">The first step's instant.</param>
    /// <param name="step">The time between steps; greater than zero.</param>
    /// <param name="stepCount">The number of steps; at least one.</param>
    public MetricHistory(MetricQueryDefinition query, IReadOnlyList<RollbackTarget> targets, DateTimeOffset from, TimeSpan step, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepCount, 1);
        Query = query;
        Targets = targets;
        From = from;
        Step = step;
        StepCount = stepCount;
        _values = new double[checked(targets.Count * stepCount)];
        _statuses = new MetricSampleStatus[_values.Length];
        Array.Fill(_values, double.NaN);
    }

    /// <summary>The query.</summary>
    public MetricQueryDefinition Query { get; }

    /// <summary>The targets, in engine order.</summary>
    public IReadOnlyList<RollbackTarget> Targets { get; }

    /// <summary>The first step's instant.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The time between steps.</summary>
    public TimeSpan Step { get; }

    /// <summary>The number of steps.</summary>
    public int StepCount { get; }

    /// <summary>The last step's instant.</summary>
    public DateTimeOffset To => TimeAt(StepCount - 1);

    /// <summary>Every distinct error message recorded, in the order first seen.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Warnings the source reported with its answers (each naming the query), or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? Warnings => _warnings;

    /// <summary>The instant of step <paramref name="step"/>.</summary>
    /// <param name="step">The step index.</param>
    public DateTimeOffset TimeAt(int step) => From + (Step * step);

    /// <summary>The step at <paramref name="time"/>, or -1 when <paramref name="time"/> is not one of the steps.</summary>
    /// <param name="time">An instant.</param>
    public int StepAt(DateTimeOffset time)
    {
        var offset = (time - From).Ticks;
        if (offset < 0 || offset % Step.Ticks != 0)
        {
            return -1;
        }

        var step = offset / Step.Ticks;
        return step < StepCount ? (int)step : -1;
    }

    /// <summary>One target's values, one per step; NaN where there is no value.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    public ReadOnlySpan<double> GetValues(int targetIndex) => _values.AsSpan(Offset(targetIndex, 0), StepCount);

    /// <summary>One target's statuses, one per step.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    public ReadOnlySpan<MetricSampleStatus> GetStatuses(int targetIndex) => _statuses.AsSpan(Offset(targetIndex, 0), StepCount);

    /// <summary>The error recorded for a target at a step, or <see langword="null"/>.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    /// <param name="step">The step index.</param>
    public string? GetError(int targetIndex, int step)
    {
        if (_statuses[Offset(targetIndex, step)] != MetricSampleStatus.Error)
        {
            return null;
        }

        lock (_lock)
        {
            for (var i = _errorSpans.Count - 1; i >= 0; i--)
            {
                var span = _errorSpans[i];
                if ((span.Target < 0 || span.Target == targetIndex) && step >= span.FirstStep && step < span.FirstStep + span.Steps)
                {
                    return span.Message;
                }
            }
        }

        return "source error";
    }

    /// <summary>Records a value.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    /// <param name="step">The step index.</param>
    /// <param name="value">The value.</param>
    public void SetValue(int targetIndex, int step, double value)
    {
        var i = Offset(targetIndex, step);
        _values[i] = value;
        _statuses[i] = MetricSampleStatus.Value;
    }

    /// <summary>Records that the source had no sample.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    /// <param name="step">The step index.</param>
    public void SetNoData(int targetIndex, int step)
    {
        var i = Offset(targetIndex, step);
        _values[i] = double.NaN;
        _statuses[i] = MetricSampleStatus.NoData;
    }

    /// <summary>Records an error for one target over <paramref name="steps"/> steps from <paramref name="firstStep"/>.</summary>
    /// <param name="targetIndex">Index into <see cref="Targets"/>.</param>
    /// <param name="firstStep">The first step concerned.</param>
    /// <param name="steps">How many steps.</param>
    /// <param name="message">What went wrong, without secrets.</param>
    public void SetError(int targetIndex, int firstStep, int steps, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        CheckSteps(firstStep, steps);
        if (steps == 0)
        {
            return;
        }

        var start = Offset(targetIndex, firstStep);
        _values.AsSpan(start, steps).Fill(double.NaN);
        _statuses.AsSpan(start, steps).Fill(MetricSampleStatus.Error);
        AddError(new ErrorSpan(targetIndex, firstStep, steps, message));
    }

    /// <summary>Records an error for every target over <paramref name="steps"/> steps from <paramref name="firstStep"/>.</summary>
    /// <param name="firstStep">The first step concerned.</param>
    /// <param name="steps">How many steps.</param>
    /// <param name="message">What went wrong, without secrets.</param>
    public void SetErrorForAll(int firstStep, int steps, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        CheckSteps(firstStep, steps);
        if (steps == 0)
        {
            return;
        }

        for (var t = 0; t < Targets.Count; t++)
        {
            var start = Offset(t, firstStep);
            _values.AsSpan(start, steps).Fill(double.NaN);
            _statuses.AsSpan(start, steps).Fill(MetricSampleStatus.Error);
        }

        AddError(new ErrorSpan(-1, firstStep, steps, message));
    }

    /// <summary>Records no data for every step of every target that has no outcome yet.</summary>
    public void SetNoDataForUnanswered()
    {
        var statuses = _statuses.AsSpan();
        for (var i = 0; i < statuses.Length; i++)
        {
            if (statuses[i] == MetricSampleStatus.None)
            {
                statuses[i] = MetricSampleStatus.NoData;
            }
        }
    }

    /// <summary>Forgets every outcome, error and warning (for reuse in measurements).</summary>
    internal void Reset()
    {
        Array.Fill(_values, double.NaN);
        Array.Clear(_statuses);
        _errorSpans.Clear();
        _errors.Clear();
        _warnings = null;
    }

    /// <summary>Records a warning about the answers (thread-safe; a repeated warning is kept once).</summary>
    /// <param name="message">The warning, naming the query, without secrets.</param>
    public void AddWarning(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            var warnings = _warnings ??= [];
            if (!warnings.Contains(message))
            {
                warnings.Add(message);
            }
        }
    }

    private void AddError(ErrorSpan span)
    {
        lock (_lock)
        {
            _errorSpans.Add(span);
            if (!_errors.Contains(span.Message))
            {
                _errors.Add(span.Message);
            }
        }
    }

    private int Offset(int targetIndex, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(targetIndex, Targets.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, StepCount);
        return (targetIndex * StepCount) + step;
    }

    private void CheckSteps(int firstStep, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstStep);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstStep + steps, StepCount, nameof(steps));
    }

    private readonly record struct ErrorSpan(int Target, int FirstStep, int Steps, string Message);
}
