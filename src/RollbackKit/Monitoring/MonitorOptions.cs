namespace RollbackKit.Monitoring;

/// <summary>
/// The monitor's settings. Bound from the same keys as always (<c>RollbackKit:EvaluationInterval</c>,
/// <c>RollbackKit:MonitorEnabled</c>): they are taken from <see cref="RollbackKitOptions"/> when the options are built.
/// </summary>
internal sealed class MonitorOptions
{
    /// <summary>How often the monitor evaluates every trigger for every target. Default: 10 seconds.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the hosted monitor runs. Default: <see langword="true"/>.</summary>
    public bool MonitorEnabled { get; set; } = true;
}
