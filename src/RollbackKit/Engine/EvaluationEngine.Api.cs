using RollbackKit.Conditions;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine;

/// <summary>
/// Evaluates every trigger for every target each tick. Conditions are compiled once; per-target state lives in
/// preallocated arrays; a steady-state <see cref="Evaluate"/> allocates nothing.
/// Values are held as structure of arrays: one span per value name (query or baseline), indexed by target.
/// </summary>
/// <remarks>
/// <para>
/// Each tick runs every compiled instruction across all targets at once (vectorized over the value columns; fleets
/// above 16,384 targets are split into blocks of that size), then one per-target pass per trigger updates the timing
/// state. A measurement fails when the condition is true. When a value
/// the condition reads has status <see cref="MetricSampleStatus.Error"/> the outcome is
/// <see cref="VerdictOutcome.Error"/> (the timers keep their state); when it has no data (status
/// <see cref="MetricSampleStatus.None"/>/<see cref="MetricSampleStatus.NoData"/> or a NaN value) the trigger's
/// <see cref="TriggerDefinition.NoData"/> policy decides. A NaN computed inside the condition (for example 0/0) makes
/// every comparison on it false.
/// </para>
/// <para>
/// A trigger fires once per failing episode: when the condition has failed continuously for
/// <see cref="TriggerDefinition.For"/> (the first failing tick when <c>For</c> is zero and no failure limit is set), or
/// the failures reach <see cref="TriggerDefinition.FailureLimit"/> (within <see cref="TriggerDefinition.FailureWindow"/>)
/// or <see cref="TriggerDefinition.ConsecutiveFailureLimit"/>. A passing measurement re-arms it. When a failure limit
/// is set and <c>For</c> is zero, only the limits fire.
/// </para>
/// Trigger settings and conditions are read once, by the constructor. Not thread-safe: write values and call
/// <see cref="Evaluate"/> from one thread at a time.
/// </remarks>
public sealed partial class EvaluationEngine
{
    private const long NotCapturing = long.MinValue;

    /// <summary>
    /// Targets per block. Measured on 10,000 targets × 8 triggers: blocks of 128–512 were 15–20 % slower than one pass
    /// (per-block setup outweighs cache reuse), 2,048 and more were equal, so a tick runs each instruction across all
    /// targets at once up to this many and only splits larger fleets.
    /// </summary>
    internal const int BlockSize = 16_384;

    private readonly RollbackTarget[] _targets;
    private readonly TriggerDefinition[] _triggers;
    private readonly string[] _valueNames;
    private readonly Dictionary<string, int> _valueIndex;
    private readonly double[][] _values;
    private readonly MetricSampleStatus[][] _statuses;
    private readonly TriggerPlan[] _plans;
    private readonly int[][] _referenced;
    private readonly BaselineState[] _baselines;
    private readonly int _count;

    /// <summary>Creates an engine. Compiles every condition.</summary>
    /// <param name="targets">The targets, in a fixed order.</param>
    /// <param name="queryNames">Names of the queries whose values the caller writes each tick.</param>
    /// <param name="triggers">The triggers.</param>
    /// <param name="baselines">Captured baselines; their names become readable values.</param>
    /// <exception cref="TriggerConfigurationException">A trigger's condition or settings are invalid (names the trigger index).</exception>
    public EvaluationEngine(
        IReadOnlyList<RollbackTarget> targets,
        IReadOnlyList<string> queryNames,
        IReadOnlyList<TriggerDefinition> triggers,
        IReadOnlyList<BaselineDefinition>? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(queryNames);
        ArgumentNullException.ThrowIfNull(triggers);
        baselines ??= [];
        _targets = [.. targets];
        _triggers = [.. triggers];
        _count = _targets.Length;
        var n = _count;

        // Value names: queries first, then baselines.
        var names = new List<string>(queryNames.Count + baselines.Count);
        _valueIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < queryNames.Count; i++)
        {
            AddValueName(names, queryNames[i], $"Queries:{i}:Name");
        }

        for (var i = 0; i < baselines.Count; i++)
        {
            var baseline = baselines[i] ?? throw new TriggerConfigurationException($"Baselines:{i}: missing");
            AddValueName(names, baseline.Name, $"Baselines:{i}:Name");
            if (string.IsNullOrWhiteSpace(baseline.Query) || !_valueIndex.TryGetValue(baseline.Query, out var query) || query >= queryNames.Count)
            {
                throw new TriggerConfigurationException($"Baselines:{i}:Query: unknown query '{baseline.Query}'");
            }

            if (baseline.Window <= TimeSpan.Zero)
            {
                throw new TriggerConfigurationException($"Baselines:{i}:Window: must be positive");
            }
        }

        _valueNames = [.. names];
        _values = new double[_valueNames.Length][];
        _statuses = new MetricSampleStatus[_valueNames.Length][];
        for (var v = 0; v < _valueNames.Length; v++)
        {
            _values[v] = new double[n];
            Array.Fill(_values[v], double.NaN);
            _statuses[v] = new MetricSampleStatus[n];
        }

        _baselines = new BaselineState[baselines.Count];
        for (var i = 0; i < baselines.Count; i++)
        {
            _baselines[i] = new BaselineState(
                queryNames.Count + i,
                _valueIndex[baselines[i].Query],
                baselines[i].Window.Ticks,
                n);
        }

        // Compile every trigger, then lower it onto the columns.
        var compiled = new CompiledCondition[_triggers.Length];
        var triggerNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var maxDepth = 1;
        for (var t = 0; t < _triggers.Length; t++)
        {
            compiled[t] = Compile(t, _triggers[t], triggerNames);
            maxDepth = Math.Max(maxDepth, compiled[t].MaxStackDepth);
        }

        var scratch = new double[maxDepth][];
        for (var s = 0; s < maxDepth; s++)
        {
            scratch[s] = new double[n];
        }

        // Triggers without references read an always-valid column.
        var alwaysValid = new MetricSampleStatus[n];
        Array.Fill(alwaysValid, MetricSampleStatus.Value);
        var zeros = new double[n];
        _plans = new TriggerPlan[_triggers.Length];
        _referenced = new int[_triggers.Length][];
        for (var t = 0; t < _triggers.Length; t++)
        {
            var referenced = compiled[t].ReferencedValues;
            _referenced[t] = [.. referenced];
            var program = new ColumnProgram(compiled[t], _values, scratch, n);
            _plans[t] = referenced.Count == 0
                ? new TriggerPlan(_triggers[t], compiled[t], program, [zeros], [alwaysValid], n)
                : new TriggerPlan(
                    _triggers[t],
                    compiled[t],
                    program,
                    [.. referenced.Select(v => _values[v])],
                    [.. referenced.Select(v => _statuses[v])],
                    n);
        }
    }

    /// <summary>The targets, index-aligned with every values span.</summary>
    public IReadOnlyList<RollbackTarget> Targets => _targets;

    /// <summary>The triggers.</summary>
    public IReadOnlyList<TriggerDefinition> Triggers => _triggers;

    /// <summary>All readable value names: queries first, then baselines.</summary>
    public IReadOnlyList<string> ValueNames => _valueNames;

    /// <summary>Number of verdicts one <see cref="Evaluate"/> writes: targets × triggers.</summary>
    public int VerdictCount => _count * _triggers.Length;

    /// <summary>Index of a value name in <see cref="ValueNames"/>, or -1.</summary>
    /// <param name="name">The value name.</param>
    public int GetValueIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _valueIndex.TryGetValue(name, out var index) ? index : -1;
    }

    /// <summary>The writable values (one per target) for value <paramref name="valueIndex"/>; NaN means no data.</summary>
    /// <param name="valueIndex">Index in <see cref="ValueNames"/>.</param>
    public Span<double> GetValues(int valueIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(valueIndex, _values.Length);
        return _values[valueIndex];
    }

    /// <summary>The writable statuses (one per target) for value <paramref name="valueIndex"/>.</summary>
    /// <param name="valueIndex">Index in <see cref="ValueNames"/>.</param>
    public Span<MetricSampleStatus> GetStatuses(int valueIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(valueIndex, _statuses.Length);
        return _statuses[valueIndex];
    }

    /// <summary>Indexes (in <see cref="ValueNames"/>) of the values trigger <paramref name="triggerIndex"/> reads.</summary>
    /// <param name="triggerIndex">Index in <see cref="Triggers"/>.</param>
    public IReadOnlyList<int> GetReferencedValues(int triggerIndex) => _referenced[triggerIndex];

    /// <summary>
    /// Runs one tick at <paramref name="now"/> over the values written since the last tick and writes
    /// <see cref="VerdictCount"/> verdicts, target-major (<c>verdicts[target * triggerCount + trigger]</c>).
    /// Allocates nothing.
    /// </summary>
    /// <param name="now">The evaluation time.</param>
    /// <param name="verdicts">Caller-provided memory of at least <see cref="VerdictCount"/> items.</param>
    /// <returns>The number of verdicts with <see cref="TriggerVerdict.Fired"/> or <see cref="TriggerVerdict.ErrorLimitReached"/> set.</returns>
    public int Evaluate(DateTimeOffset now, Span<TriggerVerdict> verdicts)
    {
        if (verdicts.Length < VerdictCount)
        {
            throw new ArgumentException($"Needs room for {VerdictCount} verdicts, got {verdicts.Length}.", nameof(verdicts));
        }

        var nowTicks = now.UtcTicks;
        foreach (var baseline in _baselines)
        {
            baseline.Update(nowTicks, _values, _statuses);
        }

        // Very large fleets are processed in blocks (see BlockSize).
        var reported = 0;
        var triggerCount = _plans.Length;
        for (var start = 0; start < _count; start += BlockSize)
        {
            var length = Math.Min(BlockSize, _count - start);
            for (var t = 0; t < triggerCount; t++)
            {
                var plan = _plans[t];
                if (!plan.Enabled)
                {
                    TriggerPlan.WriteDisabled(start, length, verdicts, t, triggerCount);
                    continue;
                }

                plan.Program.Run(start, length);
                reported += plan.Update(nowTicks, start, length, verdicts, t, triggerCount);
            }
        }

        return reported;
    }

    /// <summary>Clears the timing state (for, failure counts, errors) of a target, for example after it was rolled back.</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    public void ResetTarget(int targetIndex)
    {
        CheckTarget(targetIndex);
        foreach (var plan in _plans)
        {
            plan.Reset(targetIndex);
        }
    }

    /// <summary>Starts capturing the baselines of a target from now on (after a healthy deploy).</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    /// <param name="now">When capture starts.</param>
    /// <remarks>
    /// Every <see cref="Evaluate"/> before <c>now + Window</c> adds the target's current query value (ignoring NaN,
    /// no-data and errors) to a running average; the first <see cref="Evaluate"/> at or after <c>now + Window</c>
    /// stores the average as the baseline. Until then the baseline has no data. A window without any value leaves the
    /// baseline without data.
    /// </remarks>
    public void StartBaselineCapture(int targetIndex, DateTimeOffset now)
    {
        CheckTarget(targetIndex);
        foreach (var baseline in _baselines)
        {
            baseline.Start(targetIndex, now.UtcTicks, _values, _statuses);
        }
    }

    /// <summary>Sets a stored baseline value directly (for example loaded from a store).</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    /// <param name="baselineName">The baseline name.</param>
    /// <param name="value">The value.</param>
    /// <remarks>Cancels a capture in progress for this baseline and target. NaN means no data.</remarks>
    public void SetBaseline(int targetIndex, string baselineName, double value)
    {
        ArgumentNullException.ThrowIfNull(baselineName);
        CheckTarget(targetIndex);
        foreach (var baseline in _baselines)
        {
            if (_valueNames[baseline.ValueIndex] == baselineName)
            {
                baseline.Set(targetIndex, value, _values, _statuses);
                return;
            }
        }

        throw new ArgumentException($"Unknown baseline '{baselineName}'.", nameof(baselineName));
    }

    /// <summary>The compiled condition of a trigger (for diagnostics and tests).</summary>
    internal CompiledCondition GetCondition(int triggerIndex) => _plans[triggerIndex].Condition;

    /// <summary>Whether a baseline capture is in progress for a target.</summary>
    internal bool IsCapturing(int targetIndex, string baselineName) =>
        Array.Exists(_baselines, b => _valueNames[b.ValueIndex] == baselineName && b.IsCapturing(targetIndex));

    private void CheckTarget(int targetIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(targetIndex, _count);
    }

    private void AddValueName(List<string> names, string? name, string key)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new TriggerConfigurationException($"{key}: required");
        }

        if (!ConditionParser.IsValidName(name))
        {
            throw new TriggerConfigurationException(ConditionParser.IsReserved(name)
                ? $"{key}: '{name}' is a reserved word"
                : $"{key}: invalid name '{name}'; use letters, digits, '_' and '.', starting with a letter or '_'");
        }

        if (!_valueIndex.TryAdd(name, names.Count))
        {
            throw new TriggerConfigurationException($"{key}: duplicate name '{name}'");
        }

        names.Add(name);
    }

    private CompiledCondition Compile(int index, TriggerDefinition? trigger, Dictionary<string, int> names)
    {
        if (trigger is null)
        {
            throw new TriggerConfigurationException(index, "Name", "required (the trigger is missing)");
        }

        if (string.IsNullOrWhiteSpace(trigger.Name))
        {
            throw new TriggerConfigurationException(index, "Name", "required");
        }

        if (!names.TryAdd(trigger.Name, index))
        {
            throw new TriggerConfigurationException(index, "Name", $"duplicate name '{trigger.Name}' (also Triggers:{names[trigger.Name]})");
        }

        if (trigger.For < TimeSpan.Zero)
        {
            throw new TriggerConfigurationException(index, "For", "must not be negative");
        }

        if (!Enum.IsDefined(trigger.Severity))
        {
            throw new TriggerConfigurationException(index, "Severity", $"unknown value '{trigger.Severity}'");
        }

        if (!Enum.IsDefined(trigger.Action))
        {
            throw new TriggerConfigurationException(index, "Action", $"unknown value '{trigger.Action}'");
        }

        if (!Enum.IsDefined(trigger.NoData))
        {
            throw new TriggerConfigurationException(index, "NoData", $"unknown value '{trigger.NoData}'");
        }

        if (trigger.FailureLimit < 0)
        {
            throw new TriggerConfigurationException(index, "FailureLimit", "must not be negative");
        }

        if (trigger.ConsecutiveFailureLimit < 0)
        {
            throw new TriggerConfigurationException(index, "ConsecutiveFailureLimit", "must not be negative");
        }

        if (trigger.ErrorLimit < 1)
        {
            throw new TriggerConfigurationException(index, "ErrorLimit", "must be at least 1");
        }

        if (trigger.FailureWindow is { } window)
        {
            if (window <= TimeSpan.Zero)
            {
                throw new TriggerConfigurationException(index, "FailureWindow", "must be positive");
            }

            if (trigger.FailureLimit == 0)
            {
                throw new TriggerConfigurationException(index, "FailureWindow", "needs FailureLimit");
            }

            if (trigger.FailureLimit > TriggerPlan.MaxWindowedFailureLimit)
            {
                throw new TriggerConfigurationException(index, "FailureLimit", $"must be at most {TriggerPlan.MaxWindowedFailureLimit} with a FailureWindow");
            }
        }

        if (string.IsNullOrWhiteSpace(trigger.Condition))
        {
            throw new TriggerConfigurationException(index, "Condition", "required");
        }

        try
        {
            return ConditionParser.Parse(trigger.Condition, name => _valueIndex.TryGetValue(name, out var v) ? v : -1);
        }
        catch (ConditionSyntaxException e)
        {
            throw new TriggerConfigurationException(index, "Condition", e.Message);
        }
    }

    /// <summary>Capture state of one baseline, per target.</summary>
    private sealed class BaselineState(int valueIndex, int queryIndex, long windowTicks, int count)
    {
        private readonly long[] _start = Filled(count);
        private readonly double[] _sum = new double[count];
        private readonly int[] _samples = new int[count];
        private int _capturing;

        public int ValueIndex { get; } = valueIndex;

        public bool IsCapturing(int target) => _start[target] != NotCapturing;

        public void Start(int target, long now, double[][] values, MetricSampleStatus[][] statuses)
        {
            if (_start[target] == NotCapturing)
            {
                _capturing++;
            }

            _start[target] = now;
            _sum[target] = 0;
            _samples[target] = 0;
            values[ValueIndex][target] = double.NaN;
            statuses[ValueIndex][target] = MetricSampleStatus.None;
        }

        public void Set(int target, double value, double[][] values, MetricSampleStatus[][] statuses)
        {
            if (_start[target] != NotCapturing)
            {
                _start[target] = NotCapturing;
                _capturing--;
            }

            values[ValueIndex][target] = value;
            statuses[ValueIndex][target] = double.IsNaN(value) ? MetricSampleStatus.NoData : MetricSampleStatus.Value;
        }

        public void Update(long now, double[][] values, MetricSampleStatus[][] statuses)
        {
            if (_capturing == 0)
            {
                return;
            }

            var queryValues = values[queryIndex];
            var queryStatuses = statuses[queryIndex];
            for (var i = 0; i < _start.Length; i++)
            {
                var start = _start[i];
                if (start == NotCapturing)
                {
                    continue;
                }

                if (now - start >= windowTicks)
                {
                    var samples = _samples[i];
                    values[ValueIndex][i] = samples > 0 ? _sum[i] / samples : double.NaN;
                    statuses[ValueIndex][i] = samples > 0 ? MetricSampleStatus.Value : MetricSampleStatus.NoData;
                    _start[i] = NotCapturing;
                    _capturing--;
                }
                else if (queryStatuses[i] == MetricSampleStatus.Value && !double.IsNaN(queryValues[i]))
                {
                    _sum[i] += queryValues[i];
                    _samples[i]++;
                }
            }
        }

        private static long[] Filled(int count)
        {
            var start = new long[count];
            Array.Fill(start, NotCapturing);
            return start;
        }
    }
}

/// <summary>A trigger is invalid. The message names the trigger index, the field and, for conditions, the position.</summary>
public sealed class TriggerConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TriggerConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public TriggerConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TriggerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a trigger field.</summary>
    /// <param name="triggerIndex">Index of the trigger in configuration.</param>
    /// <param name="field">The field, for example <c>Condition</c>.</param>
    /// <param name="message">What is wrong, for example <c>unknown name 'eror_rate' at 1</c>.</param>
    public TriggerConfigurationException(int triggerIndex, string field, string message)
        : base($"Triggers:{triggerIndex}:{field}: {message}")
    {
        TriggerIndex = triggerIndex;
        Field = field;
        Detail = message;
    }

    /// <summary>Index of the trigger in configuration, or -1.</summary>
    public int TriggerIndex { get; } = -1;

    /// <summary>The field, for example <c>Condition</c>.</summary>
    public string? Field { get; }

    /// <summary>The message without the key path.</summary>
    public string? Detail { get; }
}
