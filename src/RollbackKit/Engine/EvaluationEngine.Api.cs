using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine;

/// <summary>
/// Evaluates every trigger for every target each tick. Conditions are compiled once; per-target state lives in
/// preallocated arrays; a steady-state <see cref="Evaluate"/> allocates nothing.
/// Values are held as structure of arrays: one span per value name (query or baseline), indexed by target.
/// </summary>
public sealed partial class EvaluationEngine
{
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
        throw new NotImplementedException();
    }

    /// <summary>The targets, index-aligned with every values span.</summary>
    public IReadOnlyList<RollbackTarget> Targets => throw new NotImplementedException();

    /// <summary>The triggers.</summary>
    public IReadOnlyList<TriggerDefinition> Triggers => throw new NotImplementedException();

    /// <summary>All readable value names: queries first, then baselines.</summary>
    public IReadOnlyList<string> ValueNames => throw new NotImplementedException();

    /// <summary>Number of verdicts one <see cref="Evaluate"/> writes: targets × triggers.</summary>
    public int VerdictCount => throw new NotImplementedException();

    /// <summary>Index of a value name in <see cref="ValueNames"/>, or -1.</summary>
    /// <param name="name">The value name.</param>
    public int GetValueIndex(string name) => throw new NotImplementedException();

    /// <summary>The writable values (one per target) for value <paramref name="valueIndex"/>; NaN means no data.</summary>
    /// <param name="valueIndex">Index in <see cref="ValueNames"/>.</param>
    public Span<double> GetValues(int valueIndex) => throw new NotImplementedException();

    /// <summary>The writable statuses (one per target) for value <paramref name="valueIndex"/>.</summary>
    /// <param name="valueIndex">Index in <see cref="ValueNames"/>.</param>
    public Span<MetricSampleStatus> GetStatuses(int valueIndex) => throw new NotImplementedException();

    /// <summary>Indexes (in <see cref="ValueNames"/>) of the values trigger <paramref name="triggerIndex"/> reads.</summary>
    /// <param name="triggerIndex">Index in <see cref="Triggers"/>.</param>
    public IReadOnlyList<int> GetReferencedValues(int triggerIndex) => throw new NotImplementedException();

    /// <summary>
    /// Runs one tick at <paramref name="now"/> over the values written since the last tick and writes
    /// <see cref="VerdictCount"/> verdicts, target-major (<c>verdicts[target * triggerCount + trigger]</c>).
    /// Allocates nothing.
    /// </summary>
    /// <param name="now">The evaluation time.</param>
    /// <param name="verdicts">Caller-provided memory of at least <see cref="VerdictCount"/> items.</param>
    /// <returns>The number of verdicts with <see cref="TriggerVerdict.Fired"/> or <see cref="TriggerVerdict.ErrorLimitReached"/> set.</returns>
    public int Evaluate(DateTimeOffset now, Span<TriggerVerdict> verdicts) => throw new NotImplementedException();

    /// <summary>Clears the timing state (for, failure counts, errors) of a target, for example after it was rolled back.</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    public void ResetTarget(int targetIndex) => throw new NotImplementedException();

    /// <summary>Starts capturing the baselines of a target from now on (after a healthy deploy).</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    /// <param name="now">When capture starts.</param>
    public void StartBaselineCapture(int targetIndex, DateTimeOffset now) => throw new NotImplementedException();

    /// <summary>Sets a stored baseline value directly (for example loaded from a store).</summary>
    /// <param name="targetIndex">Index in <see cref="Targets"/>.</param>
    /// <param name="baselineName">The baseline name.</param>
    /// <param name="value">The value.</param>
    public void SetBaseline(int targetIndex, string baselineName, double value) => throw new NotImplementedException();
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
