using System.Runtime.CompilerServices;
using RollbackKit.Conditions;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine.Internal;

/// <summary>How a trigger's condition is evaluated in the fused per-target pass.</summary>
internal enum ConditionShape : byte
{
    /// <summary>Any condition: its <see cref="ColumnProgram"/> runs across the targets first; the pass reads its result columns.</summary>
    General,

    /// <summary><c>a CMP constant</c>: compared in the pass, no column program.</summary>
    CompareConstant,

    /// <summary><c>a CMP b * constant</c> (also <c>a CMP b</c>, with constant 1): compared in the pass, no column program.</summary>
    CompareScaled,

    /// <summary>The trigger is disabled.</summary>
    Disabled,
}

/// <summary>One target's timing state for one trigger, in 16 bytes (a tick reads one per target and trigger).</summary>
internal struct TimingState
{
    /// <summary>
    /// Since when the condition has failed without interruption (UTC ticks, 0 when it is not failing), with the fired
    /// latch (<see cref="Fired"/>) in the sign bit.
    /// </summary>
    public long FailingSinceAndFired;

    /// <summary>
    /// Consecutive failing measurements (positive) or consecutive source errors (negated): a failure ends a run of
    /// errors and an error ends a run of failures, so at most one of the two counts is ever non-zero.
    /// </summary>
    public int Run;

    /// <summary>Failing measurements in total (within the window when one is set).</summary>
    public int Total;

    /// <summary>Whether the trigger fired in the current failing episode.</summary>
    public readonly bool Fired => FailingSinceAndFired < 0;

    /// <summary>Not failing, not latched, no consecutive failures or errors (the total may be anything).</summary>
    public readonly bool IsClean => (FailingSinceAndFired | (long)Run) == 0;
}

/// <summary>
/// One trigger's compiled condition and settings, flattened for the engine's per-target pass: the shape of the
/// condition, the columns it reads and the timing settings sit in one struct read straight from an array, so a tick
/// makes no virtual or delegate call and no dictionary lookup.
/// </summary>
internal struct TriggerSlot
{
    public ConditionShape Shape;
    public ConditionOpCode Compare;
    public VerdictOutcome NoDataOutcome;
    public bool ForRuleActive;
    public bool Windowed;
    public bool MoreThanTwo;

    /// <summary>
    /// Whether a pass on a clean timing state (nothing failing, no errors, not latched, no failure window) only reads
    /// the state; when false every measurement rewrites it (the reference path tests compare against).
    /// </summary>
    public bool CleanPassReadsOnly;
    public int FailureLimit;
    public int ConsecutiveLimit;
    public int ErrorLimit;
    public long ForTicks;
    public long WindowTicks;
    public double Constant;

    /// <summary>First value the condition reads (the compared value for the fast shapes).</summary>
    public double[] A;
    public MetricSampleStatus[] StatusA;

    /// <summary>Second value the condition reads (the scaled value of <see cref="ConditionShape.CompareScaled"/>), or the first again.</summary>
    public double[] B;
    public MetricSampleStatus[] StatusB;

    /// <summary>The general shape's result, actual and threshold columns.</summary>
    public double[] Result;
    public double[] Actual;
    public double[] Threshold;

    /// <summary>The trigger's plan (windowed failure ring, further referenced values, the column program).</summary>
    public TriggerPlan Plan;
}

/// <summary>
/// One trigger's compiled program and settings, and the failure-time ring of its windowed failure limit (one ring per
/// target). The per-target timing state lives in the engine, target-major, so a tick writes it in order.
/// </summary>
internal sealed class TriggerPlan
{
    private readonly double[][] _values;
    private readonly MetricSampleStatus[][] _statuses;
    private readonly VerdictOutcome _noDataOutcome;
    private readonly int _failureLimit;

    // Failure timestamps per target (windowed failure limit): ring of capacity FailureLimit at [target * capacity].
    private readonly long[] _ring;
    private readonly int[] _ringHead;

    /// <summary>Creates the plan; the trigger's settings are read once, here.</summary>
    /// <param name="definition">The trigger.</param>
    /// <param name="condition">Its compiled condition.</param>
    /// <param name="program">The condition lowered onto the columns; <see langword="null"/> for a condition of a fast shape (see <see cref="Recognize"/>), compared directly.</param>
    /// <param name="values">The value columns the condition reads (at least one).</param>
    /// <param name="statuses">The status columns the condition reads, index-aligned with <paramref name="values"/>.</param>
    /// <param name="count">Number of targets.</param>
    public TriggerPlan(TriggerDefinition definition, CompiledCondition condition, ColumnProgram? program, double[][] values, MetricSampleStatus[][] statuses, int count)
    {
        if (values.Length == 0 || values.Length != statuses.Length
            || Array.Exists(values, v => v.Length < count) || Array.Exists(statuses, v => v.Length < count))
        {
            throw new ArgumentException("Needs index-aligned value and status columns with a slot per target.", nameof(values));
        }

        _values = values;
        _statuses = statuses;
        Definition = definition;
        Condition = condition;
        Program = program;
        Enabled = definition.Enabled;
        _failureLimit = definition.FailureLimit;
        var windowTicks = definition.FailureLimit > 0 && definition.FailureWindow is { } window ? window.Ticks : 0;
        _noDataOutcome = definition.NoData switch
        {
            NoDataPolicy.Pass => VerdictOutcome.Pass,
            NoDataPolicy.Fail => VerdictOutcome.Fail,
            _ => VerdictOutcome.Inconclusive,
        };
        _ring = windowTicks > 0 ? new long[count * _failureLimit] : [];
        _ringHead = windowTicks > 0 ? new int[count] : [];
        Slot = CreateSlot(definition, condition, program, windowTicks);
    }

    public TriggerDefinition Definition { get; }

    public CompiledCondition Condition { get; }

    public ColumnProgram? Program { get; }

    public bool Enabled { get; }

    /// <summary>The flattened settings and columns the engine's pass reads.</summary>
    public TriggerSlot Slot { get; }

    /// <summary>Clears a target's failure ring.</summary>
    public void Reset(int target)
    {
        if (_ringHead.Length > 0)
        {
            _ringHead[target] = 0;
        }
    }

    /// <summary>
    /// Classifies one measurement of one set of values without reading or changing any timing state: the outcome the
    /// engine's pass would give this measurement, with the condition's actual value and threshold. Thread-safe.
    /// </summary>
    /// <param name="values">One value per value name.</param>
    /// <param name="statuses">One status per value name.</param>
    /// <param name="referenced">The value indexes the condition reads.</param>
    public TriggerVerdict Measure(ReadOnlySpan<double> values, ReadOnlySpan<MetricSampleStatus> statuses, int[] referenced)
    {
        if (!Enabled)
        {
            return new TriggerVerdict { Outcome = VerdictOutcome.Disabled, Actual = double.NaN, Threshold = double.NaN };
        }

        var hasError = false;
        var noData = false;
        foreach (var v in referenced)
        {
            hasError |= statuses[v] == MetricSampleStatus.Error;
            noData |= statuses[v] != MetricSampleStatus.Value || double.IsNaN(values[v]);
        }

        var holds = Condition.Evaluate(values, out var actual, out var threshold);
        return new TriggerVerdict
        {
            Outcome = hasError ? VerdictOutcome.Error : noData ? _noDataOutcome : holds ? VerdictOutcome.Fail : VerdictOutcome.Pass,
            Actual = actual,
            Threshold = threshold,
        };
    }

    /// <summary>Classifies the third and further values a condition reads.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void ClassifyMore(int target, ref bool hasError, ref bool noData)
    {
        for (var v = 2; v < _values.Length; v++)
        {
            var status = _statuses[v][target];
            hasError |= status == MetricSampleStatus.Error;
            noData |= status != MetricSampleStatus.Value || double.IsNaN(_values[v][target]);
        }
    }

    /// <summary>Drops a target's failure timestamps that left the window; returns the remaining count.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Evict(int target, long windowStart, int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var capacity = _failureLimit;
        var head = _ringHead[target];
        var baseIndex = target * capacity;
        while (count > 0 && _ring[baseIndex + head] <= windowStart)
        {
            head = head + 1 == capacity ? 0 : head + 1;
            count--;
        }

        _ringHead[target] = head;
        return count;
    }

    /// <summary>Records a failure timestamp for a target; returns the new count.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Push(int target, long now, int count)
    {
        var capacity = _failureLimit;
        var head = _ringHead[target];
        var baseIndex = target * capacity;
        if (count == capacity)
        {
            // Full: the oldest timestamp can no longer matter (the limit is already reached); overwrite it.
            _ring[baseIndex + head] = now;
            _ringHead[target] = head + 1 == capacity ? 0 : head + 1;
            return count;
        }

        var slot = head + count;
        if (slot >= capacity)
        {
            slot -= capacity;
        }

        _ring[baseIndex + slot] = now;
        return count + 1;
    }

    /// <summary>
    /// Recognises the two shapes almost every trigger has (<c>a CMP constant</c>, <c>a CMP b * constant</c>) so the
    /// pass compares them directly; anything else runs its column program. The fast shapes compute exactly what the
    /// program would: the same operands, the same IEEE operations (<c>b * 1</c> is <c>b</c>, and multiplication is
    /// commutative), the same comparison, constants folded the same way.
    /// </summary>
    /// <returns>The shape (<see cref="ConditionShape.General"/> when neither fits), with the comparison, the constant and the compared value's index.</returns>
    internal static ConditionShape Recognize(CompiledCondition condition, out ConditionOpCode compare, out double constant, out int compared)
    {
        compare = default;
        constant = 0;
        compared = -1;
        var top = condition.Instructions.Length - 1;
        if (condition.TopComparison != top || top < 0 || !ScalarOps.IsComparison(condition.Instructions[top].OpCode))
        {
            return ConditionShape.General;
        }

        var code = Fold(condition.Instructions);
        compare = code[^1].OpCode;
        if (code.Length == 3 && code[0].OpCode == ConditionOpCode.Load && code[1].OpCode == ConditionOpCode.Const)
        {
            // a CMP c
            compared = code[0].ValueIndex;
            constant = code[1].Constant;
            return ConditionShape.CompareConstant;
        }

        if (code.Length == 3 && code[0].OpCode == ConditionOpCode.Load && code[1].OpCode == ConditionOpCode.Load
            && code[0].ValueIndex != code[1].ValueIndex)
        {
            // a CMP b, as a CMP b * 1
            compared = code[0].ValueIndex;
            constant = 1;
            return ConditionShape.CompareScaled;
        }

        if (code.Length == 5 && code[0].OpCode == ConditionOpCode.Load && code[3].OpCode == ConditionOpCode.Mul)
        {
            if (code[1].OpCode == ConditionOpCode.Load && code[2].OpCode == ConditionOpCode.Const && code[1].ValueIndex != code[0].ValueIndex)
            {
                // a CMP b * c
                compared = code[0].ValueIndex;
                constant = code[2].Constant;
                return ConditionShape.CompareScaled;
            }

            if (code[1].OpCode == ConditionOpCode.Const && code[2].OpCode == ConditionOpCode.Load && code[2].ValueIndex != code[0].ValueIndex)
            {
                // a CMP c * b
                compared = code[0].ValueIndex;
                constant = code[1].Constant;
                return ConditionShape.CompareScaled;
            }
        }

        return ConditionShape.General;
    }

    private TriggerSlot CreateSlot(TriggerDefinition definition, CompiledCondition condition, ColumnProgram? program, long windowTicks)
    {
        var forTicks = definition.For.Ticks;
        var slot = new TriggerSlot
        {
            Shape = ConditionShape.General,
            NoDataOutcome = _noDataOutcome,
            ForTicks = forTicks,
            ForRuleActive = forTicks > 0 || (definition.FailureLimit == 0 && definition.ConsecutiveFailureLimit == 0),
            FailureLimit = definition.FailureLimit,
            ConsecutiveLimit = definition.ConsecutiveFailureLimit,
            ErrorLimit = definition.ErrorLimit,
            WindowTicks = windowTicks,
            Windowed = windowTicks > 0,
            MoreThanTwo = _values.Length > 2,
            A = _values[0],
            StatusA = _statuses[0],
            B = _values[_values.Length > 1 ? 1 : 0],
            StatusB = _statuses[_values.Length > 1 ? 1 : 0],
            Result = program?.Result!,
            Actual = program?.Actual!,
            Threshold = program?.Threshold!,
            Plan = this,
        };

        if (!definition.Enabled)
        {
            slot.Shape = ConditionShape.Disabled;
            return slot;
        }

        var shape = Recognize(condition, out var compare, out var constant, out var compared);
        if (shape == ConditionShape.General || program is not null)
        {
            // Without a program only a fast shape can be evaluated; with one, the general path is used (it is also
            // how tests compare the two).
            slot.Shape = program is not null ? ConditionShape.General : throw new ArgumentException("A condition of no fast shape needs its column program.", nameof(program));
            return slot;
        }

        slot.Shape = shape;
        slot.Compare = compare;
        slot.Constant = constant;
        if (shape == ConditionShape.CompareScaled)
        {
            // The value columns are in referenced (sorted) order: put the compared value first.
            var first = condition.ReferencedValues[0] == compared ? 0 : 1;
            slot.A = _values[first];
            slot.StatusA = _statuses[first];
            slot.B = _values[1 - first];
            slot.StatusB = _statuses[1 - first];
        }

        return slot;
    }

    /// <summary>Folds constant sub-expressions (<c>-2</c>, <c>2 * 3</c>) as <see cref="ColumnProgram"/> does, with the same operations.</summary>
    private static ConditionInstruction[] Fold(ReadOnlySpan<ConditionInstruction> instructions)
    {
        var folded = new List<ConditionInstruction>(instructions.Length);
        foreach (var instruction in instructions)
        {
            var op = instruction.OpCode;
            var n = folded.Count;
            if (ScalarOps.IsUnary(op) && n >= 1 && folded[n - 1].OpCode == ConditionOpCode.Const)
            {
                folded[n - 1] = new ConditionInstruction(ConditionOpCode.Const, Constant: ScalarOps.Unary(op, folded[n - 1].Constant));
            }
            else if (op is not (ConditionOpCode.Const or ConditionOpCode.Load) && !ScalarOps.IsUnary(op) && !ScalarOps.IsComparison(op)
                && n >= 2 && folded[n - 1].OpCode == ConditionOpCode.Const && folded[n - 2].OpCode == ConditionOpCode.Const)
            {
                var value = ScalarOps.Binary(op, folded[n - 2].Constant, folded[n - 1].Constant);
                folded.RemoveAt(n - 1);
                folded[n - 2] = new ConditionInstruction(ConditionOpCode.Const, Constant: value);
            }
            else
            {
                folded.Add(instruction);
            }
        }

        return [.. folded];
    }
}
