using Microsoft.Extensions.Time.Testing;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

/// <summary>Drives an <see cref="EvaluationEngine"/> with scripted values and a <see cref="FakeTimeProvider"/>.</summary>
internal sealed class EngineHarness
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly TriggerVerdict[] _verdicts;

    public EngineHarness(
        string[] queries,
        TriggerDefinition[] triggers,
        int targets = 1,
        BaselineDefinition[]? baselines = null)
    {
        var list = Enumerable.Range(0, targets).Select(i => new RollbackTarget($"app-{i}")).ToArray();
        Engine = new EvaluationEngine(list, queries, triggers, baselines);
        _verdicts = new TriggerVerdict[Engine.VerdictCount];
    }

    public EvaluationEngine Engine { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    public DateTimeOffset Now => Time.GetUtcNow();

    public EngineHarness Set(string name, double value, int target = 0)
    {
        var index = Index(name);
        Engine.GetValues(index)[target] = value;
        Engine.GetStatuses(index)[target] = MetricSampleStatus.Value;
        return this;
    }

    public EngineHarness SetNoData(string name, int target = 0)
    {
        var index = Index(name);
        Engine.GetValues(index)[target] = double.NaN;
        Engine.GetStatuses(index)[target] = MetricSampleStatus.NoData;
        return this;
    }

    public EngineHarness SetError(string name, int target = 0)
    {
        var index = Index(name);
        Engine.GetValues(index)[target] = double.NaN;
        Engine.GetStatuses(index)[target] = MetricSampleStatus.Error;
        return this;
    }

    /// <summary>Evaluates at the current fake time and returns all verdicts (target-major).</summary>
    public TriggerVerdict[] Evaluate()
    {
        Engine.Evaluate(Now, _verdicts);
        return (TriggerVerdict[])_verdicts.Clone();
    }

    /// <summary>Advances the fake time by <paramref name="advance"/> (default: one interval), evaluates and returns target 0's verdict for trigger 0.</summary>
    public TriggerVerdict Tick(TimeSpan? advance = null, int trigger = 0, int target = 0)
    {
        Time.Advance(advance ?? Interval);
        Engine.Evaluate(Now, _verdicts);
        return _verdicts[(target * Engine.Triggers.Count) + trigger];
    }

    /// <summary>Evaluates without advancing time.</summary>
    public TriggerVerdict TickNow(int trigger = 0, int target = 0)
    {
        Engine.Evaluate(Now, _verdicts);
        return _verdicts[(target * Engine.Triggers.Count) + trigger];
    }

    /// <summary>Runs ticks with the current values until the trigger fires; returns the time from the first tick to the firing tick, or null.</summary>
    public TimeSpan? TicksUntilFired(TimeSpan limit, int trigger = 0)
    {
        var first = Now + Interval;
        while (Now - first < limit)
        {
            if (Tick(trigger: trigger).Fired)
            {
                return Now - first;
            }
        }

        return null;
    }

    private int Index(string name)
    {
        var index = Engine.GetValueIndex(name);
        if (index < 0)
        {
            throw new ArgumentException($"no value '{name}'", nameof(name));
        }

        return index;
    }
}
