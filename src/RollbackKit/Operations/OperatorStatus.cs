namespace RollbackKit.Operations;

/// <summary>What an operator sees at a glance: the automatic-rollback switches, every target and the rollbacks running now.</summary>
public sealed class OperatorStatus
{
    /// <summary>When the status was taken.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The kill switch: whether automatic rollback is enabled, globally and per target, and who changed it last.</summary>
    public AutoRollbackState AutoRollback { get; init; } = new();

    /// <summary>Every configured target with its switches and the monitor's last verdict per trigger.</summary>
    public IReadOnlyList<TargetStatusView> Targets { get; init; } = [];

    /// <summary>The rollbacks pending or running now.</summary>
    public IReadOnlyList<ActiveRollbackView> Active { get; init; } = [];
}
