namespace RollbackKit.Monitoring;

/// <summary>The monitor's explanation of its last tick (<see cref="IMonitorExplainer"/>).</summary>
internal sealed partial class RollbackMonitor
{
    private readonly ExplanationSnapshot _explanation = new();

    public MonitorExplanation? ExplainLastTick(string? targetId = null) => _explanation.Build(targetId);
}
