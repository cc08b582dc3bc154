namespace RollbackKit.Monitoring;

/// <summary>What the monitor's last tick saw, per target × trigger.</summary>
public sealed class MonitorExplanation
{
    /// <summary>Creates an explanation of one tick.</summary>
    /// <param name="time">The tick's evaluation time.</param>
    /// <param name="triggers">One explanation per target × trigger, target-major.</param>
    public MonitorExplanation(DateTimeOffset time, IReadOnlyList<TriggerExplanation> triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        Time = time;
        Triggers = triggers;
    }

    /// <summary>The tick's evaluation time.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>One explanation per target × trigger, target-major (all triggers of the first target, then the next).</summary>
    public IReadOnlyList<TriggerExplanation> Triggers { get; }
}

/// <summary>
/// Explains the monitor's last tick: for every target × trigger the values, the outcome, the timer and why it has not
/// fired (or why it did). The same <see cref="TriggerExplanation"/> a backtest records for each step.
/// Registered by <c>AddRollbackKit</c>; implemented by the monitor.
/// </summary>
public interface IMonitorExplainer
{
    /// <summary>
    /// The last tick's explanations, or <see langword="null"/> before the first tick. Built on each call from a copy the
    /// tick keeps (the tick itself allocates nothing for it); safe to call while the monitor ticks.
    /// </summary>
    /// <param name="targetId">Only this target's triggers; <see langword="null"/> for every target.</param>
    MonitorExplanation? ExplainLastTick(string? targetId = null);
}
