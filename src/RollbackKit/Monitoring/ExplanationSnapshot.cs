using RollbackKit.Engine;
using RollbackKit.Metrics;

namespace RollbackKit.Monitoring;

/// <summary>
/// A copy of the last tick's verdicts, values and query errors, taken by the tick into memory allocated once, from which
/// <see cref="IMonitorExplainer.ExplainLastTick"/> builds its explanations on demand (thread-safe).
/// </summary>
internal sealed class ExplanationSnapshot
{
    private readonly Lock _lock = new();
    private EvaluationEngine? _engine;
    private DateTimeOffset _time;
    private TriggerVerdict[] _verdicts = [];
    private bool[] _latched = [];
    private double[][] _values = [];
    private MetricSampleStatus[][] _statuses = [];
    private string?[] _errors = [];
    private bool[]? _owned;

    /// <summary>
    /// Copies what a tick evaluated (after <see cref="EvaluationEngine.Evaluate"/> or
    /// <see cref="EvaluationEngine.EvaluateOwned"/>); allocates only on the first call. With <paramref name="runs"/>
    /// only those targets are copied, and only the targets <paramref name="owned"/> marks are explained.
    /// </summary>
    /// <param name="engine">The engine that evaluated.</param>
    /// <param name="verdicts">The tick's verdicts, target-major over every target.</param>
    /// <param name="batches">The tick's query batches (for their errors).</param>
    /// <param name="now">The evaluation time.</param>
    /// <param name="runs">The evaluated targets, or <see langword="null"/> for every target.</param>
    /// <param name="owned">Which targets were evaluated (not copied: the caller never changes it), or <see langword="null"/> for every target.</param>
    public void Capture(EvaluationEngine engine, ReadOnlySpan<TriggerVerdict> verdicts, MetricQueryBatch[] batches, DateTimeOffset now, TargetRange[]? runs = null, bool[]? owned = null)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_engine, engine))
            {
                Allocate(engine, verdicts.Length, batches.Length);
            }

            _time = now;
            _owned = runs is null ? null : owned;
            var triggers = engine.Triggers.Count;
            if (runs is null)
            {
                CopyTargets(engine, verdicts, triggers, 0, engine.Targets.Count);
            }
            else
            {
                foreach (var run in runs)
                {
                    CopyTargets(engine, verdicts, triggers, run.Start, run.End);
                }
            }

            for (var q = 0; q < batches.Length; q++)
            {
                _errors[q] = batches[q].Error;
            }
        }
    }

    /// <summary>The last tick's explanations (of one target, or all), or <see langword="null"/> before the first tick.</summary>
    public MonitorExplanation? Build(string? targetId)
    {
        lock (_lock)
        {
            if (_engine is not { } engine)
            {
                return null;
            }

            var triggers = engine.Triggers.Count;
            var first = 0;
            var count = _verdicts.Length;
            if (targetId is not null)
            {
                first = IndexOf(engine, targetId) * triggers;
                count = first < 0 ? 0 : triggers;
            }

            var explanations = new List<TriggerExplanation>(count);
            for (var i = 0; i < count; i++)
            {
                // Targets of shards another replica owns were not evaluated here: they have no explanation.
                if (_owned is null || _owned[(first + i) / triggers])
                {
                    explanations.Add(Explain(engine, first + i));
                }
            }

            return new MonitorExplanation(_time, explanations);
        }
    }

    /// <summary>Copies the verdicts, latches and values of targets <c>[start, end)</c>.</summary>
    private void CopyTargets(EvaluationEngine engine, ReadOnlySpan<TriggerVerdict> verdicts, int triggers, int start, int end)
    {
        var from = start * triggers;
        var to = end * triggers;
        verdicts[from..to].CopyTo(_verdicts.AsSpan(from));
        for (var i = from; i < to; i++)
        {
            _latched[i] = engine.IsLatched(i % triggers, i / triggers);
        }

        for (var v = 0; v < _values.Length; v++)
        {
            engine.GetValues(v)[start..end].CopyTo(_values[v].AsSpan(start));
            engine.GetStatuses(v)[start..end].CopyTo(_statuses[v].AsSpan(start));
        }
    }

    private TriggerExplanation Explain(EvaluationEngine engine, int index)
    {
        var verdict = _verdicts[index];
        var (target, trigger) = Math.DivRem(index, engine.Triggers.Count);
        var referenced = engine.GetReferencedValues(trigger);
        var values = new MeasuredValue[referenced.Count];
        string? error = null;
        for (var r = 0; r < values.Length; r++)
        {
            var v = referenced[r];
            values[r] = new MeasuredValue(engine.ValueNames[v], _values[v][target]);
            if (error is null && v < _errors.Length && _statuses[v][target] == MetricSampleStatus.Error)
            {
                error = _errors[v] ?? "source error";
            }
        }

        return new TriggerExplanation(engine.Triggers[trigger], engine.Targets[target].Id, _time, values)
        {
            Outcome = verdict.Outcome switch
            {
                VerdictOutcome.Pass => TriggerOutcome.Pass,
                VerdictOutcome.Fail => TriggerOutcome.Fail,
                VerdictOutcome.Inconclusive => TriggerOutcome.NoData,
                VerdictOutcome.Error => TriggerOutcome.Error,
                _ => TriggerOutcome.Disabled,
            },
            Fired = verdict.Fired,
            ErrorLimitReached = verdict.ErrorLimitReached,
            Actual = double.IsNaN(verdict.Actual) ? null : verdict.Actual,
            Threshold = double.IsNaN(verdict.Threshold) ? null : verdict.Threshold,
            Error = error,
            State = new TriggerTimerState
            {
                BreachingSince = verdict.FailingSinceUtcTicks > 0 ? new DateTimeOffset(verdict.FailingSinceUtcTicks, TimeSpan.Zero) : null,
                ConsecutiveFailures = verdict.ConsecutiveFailures,
                TotalFailures = verdict.TotalFailures,
                ConsecutiveErrors = verdict.ConsecutiveErrors,
                Latched = _latched[index],
            },
        };
    }

    private static int IndexOf(EvaluationEngine engine, string targetId)
    {
        for (var i = 0; i < engine.Targets.Count; i++)
        {
            if (string.Equals(engine.Targets[i].Id, targetId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Allocate(EvaluationEngine engine, int verdicts, int queries)
    {
        _engine = engine;
        _verdicts = new TriggerVerdict[verdicts];
        _latched = new bool[verdicts];
        var names = engine.ValueNames.Count;
        var targets = engine.Targets.Count;
        _values = new double[names][];
        _statuses = new MetricSampleStatus[names][];
        for (var v = 0; v < names; v++)
        {
            _values[v] = new double[targets];
            _statuses[v] = new MetricSampleStatus[targets];
        }

        _errors = new string?[queries];
    }
}
