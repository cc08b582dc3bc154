using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RollbackKit.Conditions;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine.Internal;

/// <summary>
/// One trigger's compiled program, settings and per-target timing state (structure of arrays, one slot per target).
/// </summary>
internal sealed class TriggerPlan
{
    private readonly long _forTicks;
    private readonly bool _forRuleActive;
    private readonly int _failureLimit;
    private readonly long _windowTicks;
    private readonly int _consecutiveLimit;
    private readonly int _errorLimit;
    private readonly VerdictOutcome _noDataOutcome;

    private readonly double[][] _values;
    private readonly MetricSampleStatus[][] _statuses;
    private readonly long[] _failingSince;
    private readonly int[] _consecutiveFailures;
    private readonly int[] _totalFailures;
    private readonly int[] _consecutiveErrors;
    private readonly bool[] _fired;

    // Failure timestamps per target (windowed failure limit): ring of capacity FailureLimit at [target * capacity].
    private readonly long[] _ring;
    private readonly int[] _ringHead;

    /// <summary>Creates the plan; the trigger's settings are read once, here.</summary>
    /// <param name="definition">The trigger.</param>
    /// <param name="condition">Its compiled condition.</param>
    /// <param name="program">The condition lowered onto the columns.</param>
    /// <param name="values">The value columns the condition reads (at least one).</param>
    /// <param name="statuses">The status columns the condition reads, index-aligned with <paramref name="values"/>.</param>
    /// <param name="count">Number of targets.</param>
    public TriggerPlan(TriggerDefinition definition, CompiledCondition condition, ColumnProgram program, double[][] values, MetricSampleStatus[][] statuses, int count)
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
        _forTicks = definition.For.Ticks;
        _failureLimit = definition.FailureLimit;
        _consecutiveLimit = definition.ConsecutiveFailureLimit;
        _forRuleActive = _forTicks > 0 || (_failureLimit == 0 && _consecutiveLimit == 0);
        _windowTicks = definition.FailureLimit > 0 && definition.FailureWindow is { } window ? window.Ticks : 0;
        _errorLimit = definition.ErrorLimit;
        _noDataOutcome = definition.NoData switch
        {
            NoDataPolicy.Pass => VerdictOutcome.Pass,
            NoDataPolicy.Fail => VerdictOutcome.Fail,
            _ => VerdictOutcome.Inconclusive,
        };
        _failingSince = new long[count];
        _consecutiveFailures = new int[count];
        _totalFailures = new int[count];
        _consecutiveErrors = new int[count];
        _fired = new bool[count];
        _ring = _windowTicks > 0 ? new long[count * _failureLimit] : [];
        _ringHead = _windowTicks > 0 ? new int[count] : [];
    }

    public TriggerDefinition Definition { get; }

    public CompiledCondition Condition { get; }

    public ColumnProgram Program { get; }

    public bool Enabled { get; }

    /// <summary>Whether the trigger has fired for a target in its current failing episode (re-armed by a pass).</summary>
    public bool IsLatched(int target) => _fired[target];

    /// <summary>Clears a target's timing state.</summary>
    public void Reset(int target)
    {
        _failingSince[target] = 0;
        _consecutiveFailures[target] = 0;
        _totalFailures[target] = 0;
        _consecutiveErrors[target] = 0;
        _fired[target] = false;
        if (_ringHead.Length > 0)
        {
            _ringHead[target] = 0;
        }
    }

    /// <summary>
    /// Classifies one measurement of one set of values without reading or changing any timing state: the outcome
    /// <see cref="Update"/> would give this measurement, with the condition's actual value and threshold. Thread-safe.
    /// </summary>
    /// <param name="values">One value per value name.</param>
    /// <param name="statuses">One status per value name.</param>
    /// <param name="referenced">The value indexes the condition reads.</param>
    /// <param name="triggerIndex">The trigger's index, copied into the verdict.</param>
    public TriggerVerdict Measure(ReadOnlySpan<double> values, ReadOnlySpan<MetricSampleStatus> statuses, int[] referenced, int triggerIndex)
    {
        if (!Enabled)
        {
            return new TriggerVerdict { TriggerIndex = triggerIndex, Outcome = VerdictOutcome.Disabled, Actual = double.NaN, Threshold = double.NaN };
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
            TriggerIndex = triggerIndex,
            Outcome = hasError ? VerdictOutcome.Error : noData ? _noDataOutcome : holds ? VerdictOutcome.Fail : VerdictOutcome.Pass,
            Actual = actual,
            Threshold = threshold,
        };
    }

    /// <summary>Writes the disabled verdicts.</summary>
    public static void WriteDisabled(int start, int length, Span<TriggerVerdict> verdicts, int triggerIndex, int triggerCount)
    {
        for (var i = start; i < start + length; i++)
        {
            verdicts[(i * triggerCount) + triggerIndex] = new TriggerVerdict
            {
                TargetIndex = i,
                TriggerIndex = triggerIndex,
                Outcome = VerdictOutcome.Disabled,
                Actual = double.NaN,
                Threshold = double.NaN,
            };
        }
    }

    /// <summary>
    /// The per-target pass after <see cref="ColumnProgram.Run(int, int)"/>: classifies each measurement, updates the timing
    /// state and writes the verdicts. Returns how many verdicts fired or reached the error limit.
    /// </summary>
    public int Update(long now, int start, int length, Span<TriggerVerdict> verdicts, int triggerIndex, int triggerCount)
    {
        var end = start + length;

        // One range check up front instead of one per access: every column and state array holds one slot per target.
        if (start < 0 || length < 0 || end > _values[0].Length || end > _statuses[0].Length || end > Program.Result.Length || end > _failingSince.Length
            || end > Program.Actual.Length || end > Program.Threshold.Length
            || (length > 0 && (((long)(end - 1) * triggerCount) + triggerIndex) >= verdicts.Length))
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        ref var resultRef = ref MemoryMarshal.GetArrayDataReference(Program.Result);
        ref var actualRef = ref MemoryMarshal.GetArrayDataReference(Program.Actual);
        ref var thresholdRef = ref MemoryMarshal.GetArrayDataReference(Program.Threshold);
        var more = _values.Length > 2;
        ref var value0 = ref MemoryMarshal.GetArrayDataReference(_values[0]);
        ref var status0 = ref MemoryMarshal.GetArrayDataReference(_statuses[0]);
        ref var value1 = ref MemoryMarshal.GetArrayDataReference(_values[_values.Length > 1 ? 1 : 0]);
        ref var status1 = ref MemoryMarshal.GetArrayDataReference(_statuses[_values.Length > 1 ? 1 : 0]);
        ref var failingSinceRef = ref MemoryMarshal.GetArrayDataReference(_failingSince);
        ref var consecutiveFailuresRef = ref MemoryMarshal.GetArrayDataReference(_consecutiveFailures);
        ref var totalFailuresRef = ref MemoryMarshal.GetArrayDataReference(_totalFailures);
        ref var consecutiveErrorsRef = ref MemoryMarshal.GetArrayDataReference(_consecutiveErrors);
        ref var firedRef = ref MemoryMarshal.GetArrayDataReference(_fired);
        ref var verdictRef = ref MemoryMarshal.GetReference(verdicts);
        var windowed = _windowTicks > 0;
        var windowStart = now - _windowTicks;
        var noDataOutcome = _noDataOutcome;
        var forRuleActive = _forRuleActive;
        var forTicks = _forTicks;
        var failureLimit = _failureLimit;
        var consecutiveLimit = _consecutiveLimit;
        var errorLimit = _errorLimit;
        var reported = 0;
        var k = (start * triggerCount) + triggerIndex;

        for (var i = start; i < end; i++, k += triggerCount)
        {
            // The values the condition reads: any error makes the measurement an error; else any missing value (no
            // status, no data or NaN) makes it no-data.
            var s0 = Unsafe.Add(ref status0, i);
            var s1 = Unsafe.Add(ref status1, i);
            var hasError = s0 == MetricSampleStatus.Error || s1 == MetricSampleStatus.Error;
            var noData = s0 != MetricSampleStatus.Value || s1 != MetricSampleStatus.Value
                || double.IsNaN(Unsafe.Add(ref value0, i)) || double.IsNaN(Unsafe.Add(ref value1, i));
            if (more)
            {
                ClassifyMore(i, ref hasError, ref noData);
            }

            var outcome = hasError ? VerdictOutcome.Error
                : noData ? noDataOutcome
                : Unsafe.Add(ref resultRef, i) != 0 ? VerdictOutcome.Fail : VerdictOutcome.Pass;

            var failingSince = Unsafe.Add(ref failingSinceRef, i);
            var consecutive = Unsafe.Add(ref consecutiveFailuresRef, i);
            var total = Unsafe.Add(ref totalFailuresRef, i);
            var errors = Unsafe.Add(ref consecutiveErrorsRef, i);
            var fired = Unsafe.Add(ref firedRef, i);
            if (windowed)
            {
                total = Evict(i, windowStart, total);
            }

            var firedNow = false;
            var errorLimitReached = false;
            switch (outcome)
            {
                case VerdictOutcome.Pass:
                    errors = 0;
                    failingSince = 0;
                    consecutive = 0;
                    fired = false;
                    break;
                case VerdictOutcome.Fail:
                    errors = 0;
                    if (failingSince == 0)
                    {
                        failingSince = now;
                    }

                    consecutive++;
                    total = windowed ? Push(i, now, total) : total + 1;
                    if (!fired
                        && ((forRuleActive && now - failingSince >= forTicks)
                            || (failureLimit > 0 && total >= failureLimit)
                            || (consecutiveLimit > 0 && consecutive >= consecutiveLimit)))
                    {
                        fired = true;
                        firedNow = true;
                    }

                    break;
                case VerdictOutcome.Inconclusive:
                    errors = 0;
                    break;
                default:
                    // An error is an unknown measurement: the condition was not seen to hold, so the failing
                    // episode's For clock and consecutive count restart; the windowed total and the fired latch stay.
                    errors++;
                    errorLimitReached = errors == errorLimit;
                    failingSince = 0;
                    consecutive = 0;
                    break;
            }

            Unsafe.Add(ref failingSinceRef, i) = failingSince;
            Unsafe.Add(ref consecutiveFailuresRef, i) = consecutive;
            Unsafe.Add(ref totalFailuresRef, i) = total;
            Unsafe.Add(ref consecutiveErrorsRef, i) = errors;
            Unsafe.Add(ref firedRef, i) = fired;
            if (firedNow || errorLimitReached)
            {
                reported++;
            }

            Unsafe.Add(ref verdictRef, k) = new TriggerVerdict
            {
                TargetIndex = i,
                TriggerIndex = triggerIndex,
                Outcome = outcome,
                Fired = firedNow,
                ErrorLimitReached = errorLimitReached,
                Actual = Unsafe.Add(ref actualRef, i),
                Threshold = Unsafe.Add(ref thresholdRef, i),
                FailingSinceUtcTicks = failingSince,
                ConsecutiveFailures = consecutive,
                TotalFailures = total,
                ConsecutiveErrors = errors,
            };
        }

        return reported;
    }

    /// <summary>Classifies the third and further values a condition reads.</summary>
    private void ClassifyMore(int target, ref bool hasError, ref bool noData)
    {
        for (var v = 2; v < _values.Length; v++)
        {
            var status = _statuses[v][target];
            hasError |= status == MetricSampleStatus.Error;
            noData |= status != MetricSampleStatus.Value || double.IsNaN(_values[v][target]);
        }
    }

    /// <summary>Drops a target's failure timestamps that left the window; returns the remaining count.</summary>
    private int Evict(int target, long windowStart, int count)
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
    private int Push(int target, long now, int count)
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
}
