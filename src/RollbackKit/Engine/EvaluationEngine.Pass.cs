using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RollbackKit.Conditions;
using RollbackKit.Engine.Internal;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine;

/// <summary>The per-target timing pass of <see cref="EvaluationEngine"/>.</summary>
internal sealed partial class EvaluationEngine
{
    /// <summary>
    /// The per-target pass over targets <c>[start, end)</c>, in sub-blocks of <see cref="PassBlock"/> targets: within a
    /// sub-block, trigger by trigger (the shape is decided once per trigger, not per target), each target's measurement
    /// is classified, its timing state updated and its verdict written. State and verdicts are target-major, so a
    /// sub-block's share of both stays in cache while its triggers run, and each trigger streams only the few value and
    /// status columns it reads.
    /// </summary>
    private int Pass(long now, int start, int end, Span<TriggerVerdict> verdicts)
    {
        var slots = _slots;
        var triggerCount = slots.Length;
        var states = _states;
        if ((long)end * triggerCount > states.Length || (long)end * triggerCount > verdicts.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }

        ref var stateRef = ref MemoryMarshal.GetArrayDataReference(states);
        ref var verdictRef = ref MemoryMarshal.GetReference(verdicts);
        var reported = 0;
        for (var blockStart = start; blockStart < end; blockStart += PassBlock)
        {
            var blockEnd = Math.Min(end, blockStart + PassBlock);
            for (var t = 0; t < slots.Length; t++)
            {
                reported += RunTrigger(ref slots[t], t, triggerCount, blockStart, blockEnd, now, ref stateRef, ref verdictRef);
            }
        }

        return reported;
    }

    /// <summary>One trigger over targets <c>[start, end)</c>; returns how many verdicts fired or reached the error limit.</summary>
    private static int RunTrigger(ref TriggerSlot slot, int t, int triggerCount, int start, int end, long now, ref TimingState stateRef, ref TriggerVerdict verdictRef)
    {
        var reported = 0;
        var k = (start * triggerCount) + t;
        switch (slot.Shape)
        {
            case ConditionShape.CompareConstant:
            {
                var a = slot.A;
                var sa = slot.StatusA;
                var threshold = slot.Constant;
                for (var i = start; i < end; i++, k += triggerCount)
                {
                    var actual = a[i];
                    var status = sa[i];
                    var outcome = status == MetricSampleStatus.Error ? VerdictOutcome.Error
                        : status != MetricSampleStatus.Value || double.IsNaN(actual) ? slot.NoDataOutcome
                        : Holds(slot.Compare, actual, threshold) ? VerdictOutcome.Fail : VerdictOutcome.Pass;
                    if (Step(ref slot, ref Unsafe.Add(ref stateRef, k), outcome, now, i, actual, threshold, ref Unsafe.Add(ref verdictRef, k)))
                    {
                        reported++;
                    }
                }

                break;
            }

            case ConditionShape.CompareScaled:
            {
                var a = slot.A;
                var sa = slot.StatusA;
                var b = slot.B;
                var sb = slot.StatusB;
                var constant = slot.Constant;
                for (var i = start; i < end; i++, k += triggerCount)
                {
                    var actual = a[i];
                    var other = b[i];
                    var threshold = other * constant;
                    var statusA = sa[i];
                    var statusB = sb[i];
                    var outcome = statusA == MetricSampleStatus.Error || statusB == MetricSampleStatus.Error ? VerdictOutcome.Error
                        : statusA != MetricSampleStatus.Value || statusB != MetricSampleStatus.Value || double.IsNaN(actual) || double.IsNaN(other) ? slot.NoDataOutcome
                        : Holds(slot.Compare, actual, threshold) ? VerdictOutcome.Fail : VerdictOutcome.Pass;
                    if (Step(ref slot, ref Unsafe.Add(ref stateRef, k), outcome, now, i, actual, threshold, ref Unsafe.Add(ref verdictRef, k)))
                    {
                        reported++;
                    }
                }

                break;
            }

            case ConditionShape.General:
            {
                for (var i = start; i < end; i++, k += triggerCount)
                {
                    // The values the condition reads: any error makes the measurement an error; else any missing
                    // value (no status, no data or NaN) makes it no-data.
                    var sa = slot.StatusA[i];
                    var sb = slot.StatusB[i];
                    var hasError = sa == MetricSampleStatus.Error || sb == MetricSampleStatus.Error;
                    var noData = sa != MetricSampleStatus.Value || sb != MetricSampleStatus.Value
                        || double.IsNaN(slot.A[i]) || double.IsNaN(slot.B[i]);
                    if (slot.MoreThanTwo)
                    {
                        slot.Plan.ClassifyMore(i, ref hasError, ref noData);
                    }

                    var outcome = hasError ? VerdictOutcome.Error
                        : noData ? slot.NoDataOutcome
                        : slot.Result[i] != 0 ? VerdictOutcome.Fail : VerdictOutcome.Pass;
                    if (Step(ref slot, ref Unsafe.Add(ref stateRef, k), outcome, now, i, slot.Actual[i], slot.Threshold[i], ref Unsafe.Add(ref verdictRef, k)))
                    {
                        reported++;
                    }
                }

                break;
            }

            default:
                for (var i = start; i < end; i++, k += triggerCount)
                {
                    Unsafe.Add(ref verdictRef, k) = new TriggerVerdict
                    {
                        Outcome = VerdictOutcome.Disabled,
                        Actual = double.NaN,
                        Threshold = double.NaN,
                    };
                }

                break;
        }

        return reported;
    }

    /// <summary>The comparison, as <see cref="ScalarOps.Binary"/> computes it (NaN compares false, also for <c>!=</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Holds(ConditionOpCode compare, double a, double b) => compare switch
    {
        ConditionOpCode.Gt => a > b,
        ConditionOpCode.Ge => a >= b,
        ConditionOpCode.Lt => a < b,
        ConditionOpCode.Le => a <= b,
        ConditionOpCode.Eq => a == b,
        _ => a < b || a > b,
    };

    /// <summary>Applies one measurement to one target's timing state and writes the verdict; true when it fired or reached the error limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Step(ref TriggerSlot slot, ref TimingState state, VerdictOutcome outcome, long now, int target, double actual, double threshold, ref TriggerVerdict verdict)
    {
        if (outcome == VerdictOutcome.Pass && slot.CleanPassReadsOnly && state.IsClean)
        {
            // The common case, a healthy target that was healthy before: a pass changes nothing in its state, so the
            // state is only read (its cache line stays clean) and the verdict carries the unchanged total.
            verdict = new TriggerVerdict
            {
                Actual = actual,
                Threshold = threshold,
                TotalFailures = state.Total,
            };
            return false;
        }

        var packed = state.FailingSinceAndFired;
        var failingSince = packed & long.MaxValue;
        var fired = packed < 0;
        var run = state.Run;
        var consecutive = run > 0 ? run : 0;
        var errors = run < 0 ? -run : 0;
        var total = state.Total;
        if (slot.Windowed)
        {
            total = slot.Plan.Evict(target, now - slot.WindowTicks, total);
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
                total = slot.Windowed ? slot.Plan.Push(target, now, total) : total + 1;
                if (!fired
                    && ((slot.ForRuleActive && now - failingSince >= slot.ForTicks)
                        || (slot.FailureLimit > 0 && total >= slot.FailureLimit)
                        || (slot.ConsecutiveLimit > 0 && consecutive >= slot.ConsecutiveLimit)))
                {
                    fired = true;
                    firedNow = true;
                }

                break;
            case VerdictOutcome.Inconclusive:
                errors = 0;
                break;
            default:
                // An error is an unknown measurement: the condition was not seen to hold, so the failing episode's
                // For clock and consecutive count restart; the windowed total and the fired latch stay.
                errors++;
                errorLimitReached = errors == slot.ErrorLimit;
                failingSince = 0;
                consecutive = 0;
                break;
        }

        state.FailingSinceAndFired = fired ? failingSince | long.MinValue : failingSince;
        state.Run = errors > 0 ? -errors : consecutive;
        state.Total = total;
        verdict = new TriggerVerdict
        {
            Outcome = outcome,
            Fired = firedNow,
            ErrorLimitReached = errorLimitReached,
            Actual = actual,
            Threshold = threshold,
            FailingSinceUtcTicks = failingSince,
            ConsecutiveFailures = consecutive,
            TotalFailures = total,
            ConsecutiveErrors = errors,
        };
        return firedNow || errorLimitReached;
    }
}
