namespace RollbackKit.Operations;

/// <summary>One target as an operator sees it.</summary>
public sealed class TargetStatusView
{
    /// <summary>The target id.</summary>
    public required string Id { get; init; }

    /// <summary>Whether automatic rollback of this target is enabled (global and per-target switches).</summary>
    public bool AutoRollbackEnabled { get; init; }

    /// <summary>Whether the target is past its point of no return (automatic requests then ask for a forward fix).</summary>
    public bool PastPointOfNoReturn { get; init; }

    /// <summary>The monitor's last tick per trigger of this target; empty before the first tick.</summary>
    public IReadOnlyList<TriggerStatusView> Triggers { get; init; } = [];
}

/// <summary>How one trigger of a target came out at the monitor's last tick.</summary>
public sealed class TriggerStatusView
{
    /// <summary>The trigger name.</summary>
    public required string Name { get; init; }

    /// <summary>The outcome: <c>Pass</c>, <c>Fail</c>, <c>NoData</c>, <c>Error</c> or <c>Disabled</c>.</summary>
    public string Outcome { get; init; } = string.Empty;

    /// <summary>The measured value (left side of the condition's top comparison), when there is one.</summary>
    public double? MeasuredValue { get; init; }

    /// <summary>The threshold (right side of the condition's top comparison), when there is one.</summary>
    public double? Threshold { get; init; }

    /// <summary>One sentence saying why the trigger fired or has not fired.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Whether the trigger fired at that tick.</summary>
    public bool Fired { get; init; }

    /// <summary>When the tick was evaluated.</summary>
    public DateTimeOffset At { get; init; }
}
