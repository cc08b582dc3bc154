using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RollbackKit.Conditions;
using RollbackKit.Engine.Internal;
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
/// Conditions of the two common shapes (<c>a CMP constant</c>, <c>a CMP b * constant</c>) are compared directly in
/// one fused per-target pass; any other condition first runs its compiled instructions across all targets at once
/// (vectorized over the value columns; fleets above 16,384 targets are split into blocks of that size) and the pass
/// reads its result. The pass goes target by target and trigger by trigger, updating the timing state (held
/// target-major) and writing the verdicts in order. A measurement fails when the condition is true. When a value
/// the condition reads has status <see cref="MetricSampleStatus.Error"/> the outcome is
/// <see cref="VerdictOutcome.Error"/>: it restarts the <see cref="TriggerDefinition.For"/> clock and the consecutive
/// failure count (a trigger fires only after a full <c>For</c> of breaches with no error between them), counts towards
/// <see cref="TriggerDefinition.ErrorLimit"/>, and leaves the windowed failure total alone; when it has no data (status
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
internal sealed partial class EvaluationEngine
{
    /// <summary>
    /// Targets per block. Measured on 10,000 targets × 8 triggers: blocks of 128–512 were 15–20 % slower than one pass
    /// (per-block setup outweighs cache reuse), 2,048 and more were equal, so a tick runs each instruction across all
    /// targets at once up to this many and only splits larger fleets.
    /// </summary>
    internal const int BlockSize = 16_384;

    /// <summary>
    /// Targets per sub-block of the per-target pass: its verdicts and timing state (8 triggers: about 115 KB) stay in
    /// a core's L2 cache while every trigger runs over it.
    /// </summary>
    internal const int PassBlock = 256;

    private static long s_created;

    private readonly RollbackTarget[] _targets;
    private readonly TriggerDefinition[] _triggers;
    private readonly ValueTable _table;
    private readonly double[][] _values;
    private readonly MetricSampleStatus[][] _statuses;
    private readonly TriggerPlan[] _plans;
    private readonly TriggerSlot[] _slots;
    private readonly int[] _general;
    private readonly TimingState[] _states;
    private readonly int[][] _referenced;
    private readonly BaselineCapture[] _baselines;
    private readonly int _count;

    /// <summary>Creates an engine. Compiles every condition.</summary>
    /// <param name="targets">The targets, in a fixed order.</param>
    /// <param name="queryNames">Names of the queries whose values the caller writes each tick.</param>
    /// <param name="triggers">The triggers.</param>
    /// <param name="baselines">Captured baselines; their names become readable values.</param>
    /// <param name="fastShapes">
    /// Whether conditions of the common shapes are compared directly in the per-target pass (the default); when false
    /// every condition runs its column program and every measurement rewrites the timing state (the two paths compute the
    /// same verdicts; tests compare them).
    /// </param>
    /// <exception cref="TriggerConfigurationException">A trigger's condition or settings are invalid (names the trigger index).</exception>
    public EvaluationEngine(
        IReadOnlyList<RollbackTarget> targets,
        IReadOnlyList<string> queryNames,
        IReadOnlyList<TriggerDefinition> triggers,
        IReadOnlyList<BaselineDefinition>? baselines = null,
        bool fastShapes = true)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var compiled = TriggerCompiler.Compile(queryNames, triggers, baselines);
        Interlocked.Increment(ref s_created);
        _targets = [.. targets];
        _triggers = [.. triggers];
        _count = _targets.Length;
        var n = _count;
        _table = new ValueTable(compiled.ValueNames, compiled.ValueIndex, n);
        _values = _table.Values;
        _statuses = _table.Statuses;

        _baselines = new BaselineCapture[compiled.BaselineQueries.Length];
        for (var i = 0; i < _baselines.Length; i++)
        {
            _baselines[i] = new BaselineCapture(compiled.QueryCount + i, compiled.BaselineQueries[i], compiled.BaselineWindowTicks[i], n);
        }

        // Lower every compiled condition onto the columns.
        var maxDepth = 1;
        foreach (var condition in compiled.Conditions)
        {
            maxDepth = Math.Max(maxDepth, condition.MaxStackDepth);
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
            var condition = compiled.Conditions[t];
            var referenced = condition.ReferencedValues;
            _referenced[t] = [.. referenced];
            // Conditions of a fast shape are compared in the pass: no program, no result columns.
            var program = fastShapes && _triggers[t].Enabled && TriggerPlan.Recognize(condition, out _, out _, out _) != ConditionShape.General
                ? null
                : new ColumnProgram(condition, _values, scratch, n);
            _plans[t] = referenced.Count == 0
                ? new TriggerPlan(_triggers[t], condition, program, [zeros], [alwaysValid], n)
                : new TriggerPlan(
                    _triggers[t],
                    condition,
                    program,
                    [.. referenced.Select(v => _values[v])],
                    [.. referenced.Select(v => _statuses[v])],
                    n);
        }

        _slots = [.. _plans.Select(static p => p.Slot)];
        for (var t = 0; t < _slots.Length; t++)
        {
            _slots[t].CleanPassReadsOnly = fastShapes && !_slots[t].Windowed;
        }

        _general = [.. Enumerable.Range(0, _slots.Length).Where(t => _slots[t].Shape == ConditionShape.General)];
        _states = new TimingState[n * _slots.Length];
    }

    /// <summary>How many engines this process has built (verification reuses the monitor's; tests check it builds none).</summary>
    internal static long CreatedCount => Interlocked.Read(ref s_created);

    /// <summary>The targets, index-aligned with every values span.</summary>
    public IReadOnlyList<RollbackTarget> Targets => _targets;

    /// <summary>The triggers.</summary>
    public IReadOnlyList<TriggerDefinition> Triggers => _triggers;

    /// <summary>All readable value names: queries first, then baselines.</summary>
    public IReadOnlyList<string> ValueNames => _table.Names;

    /// <summary>Number of verdicts one <see cref="Evaluate"/> writes: targets × triggers.</summary>
    public int VerdictCount => _count * _triggers.Length;

    /// <summary>Index of a value name in <see cref="ValueNames"/>, or -1.</summary>
    /// <param name="name">The value name.</param>
    public int GetValueIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _table.Index.TryGetValue(name, out var index) ? index : -1;
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
        var general = _general;
        for (var start = 0; start < _count; start += BlockSize)
        {
            var length = Math.Min(BlockSize, _count - start);
            foreach (var t in general)
            {
                _plans[t].Program!.Run(start, length);
            }

            reported += Pass(nowTicks, start, start + length, verdicts);
        }

        return reported;
    }

    /// <summary>Clears the timing state (for, failure counts, errors) of a target, for example after it was rolled back.</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    public void ResetTarget(int targetIndex)
    {
        CheckTarget(targetIndex);
        _states.AsSpan(targetIndex * _slots.Length, _slots.Length).Clear();
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
            if (_table.Names[baseline.ValueIndex] == baselineName)
            {
                baseline.Set(targetIndex, value, _values, _statuses);
                return;
            }
        }

        throw new ArgumentException($"Unknown baseline '{baselineName}'.", nameof(baselineName));
    }

    /// <summary>
    /// Measures every trigger once for one set of values (one per <see cref="ValueNames"/> entry) without reading or
    /// changing any target's timing state: <c>verdicts[trigger]</c> has the outcome, actual value and threshold a first
    /// measurement would have (nothing fires). Safe to call while
    /// another thread runs <see cref="Evaluate"/>: it reads only the compiled conditions.
    /// </summary>
    /// <param name="values">One value per value name; NaN means no data.</param>
    /// <param name="statuses">One status per value name.</param>
    /// <param name="verdicts">Caller-provided memory of at least one item per trigger.</param>
    internal void Measure(ReadOnlySpan<double> values, ReadOnlySpan<MetricSampleStatus> statuses, Span<TriggerVerdict> verdicts)
    {
        var names = _table.Names.Length;
        if (values.Length < names || statuses.Length < names || verdicts.Length < _plans.Length)
        {
            throw new ArgumentException($"Needs {names} values and statuses and room for {_plans.Length} verdicts.", nameof(values));
        }

        for (var t = 0; t < _plans.Length; t++)
        {
            verdicts[t] = _plans[t].Measure(values, statuses, _referenced[t]);
        }
    }

    /// <summary>Whether a trigger has fired for a target in its current failing episode (it re-arms after a passing measurement).</summary>
    internal bool IsLatched(int triggerIndex, int targetIndex) => _states[(targetIndex * _slots.Length) + triggerIndex].Fired;

    /// <summary>How trigger <paramref name="triggerIndex"/>'s condition is evaluated (for tests).</summary>
    internal ConditionShape GetShape(int triggerIndex) => _slots[triggerIndex].Shape;

    /// <summary>The compiled condition of a trigger (for diagnostics and tests).</summary>
    internal CompiledCondition GetCondition(int triggerIndex) => _plans[triggerIndex].Condition;

    /// <summary>Whether a baseline capture is in progress for a target.</summary>
    internal bool IsCapturing(int targetIndex, string baselineName) =>
        Array.Exists(_baselines, b => _table.Names[b.ValueIndex] == baselineName && b.IsCapturing(targetIndex));

    private void CheckTarget(int targetIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(targetIndex, _count);
    }
}
