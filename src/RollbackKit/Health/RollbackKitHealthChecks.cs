namespace RollbackKit.Health;

/// <summary>The names and tags of the health checks <c>AddRollbackKit().AddHealthChecks()</c> registers.</summary>
public static class RollbackKitHealthChecks
{
    /// <summary>The tag every RollbackKit health check carries: <c>rollbackkit</c>.</summary>
    public const string Tag = "rollbackkit";

    /// <summary>The tag of checks whose failure a restart of this process can cure (liveness probes): <c>live</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>The tag of checks that must pass before this process counts as ready: <c>ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The monitor ticked within <see cref="RollbackKitHealthCheckOptions.MonitorLateAfterIntervals"/> × its interval: <c>rollbackkit-monitor</c>.</summary>
    public const string Monitor = "rollbackkit-monitor";

    /// <summary>The journal's directory accepts a new file: <c>rollbackkit-journal</c>.</summary>
    public const string Journal = "rollbackkit-journal";

    /// <summary>Whether this replica holds the monitor's leadership (registered only when one is configured): <c>rollbackkit-leadership</c>.</summary>
    public const string Leadership = "rollbackkit-leadership";

    /// <summary>The prefix of the per-source checks, followed by the source name: <c>rollbackkit-source:</c>.</summary>
    public const string SourcePrefix = "rollbackkit-source:";

    /// <summary>The name of the check of one metric source, for example <c>rollbackkit-source:prometheus</c>.</summary>
    /// <param name="sourceName">The source's <see cref="Metrics.IMetricSource.Name"/>.</param>
    /// <returns>The check's name.</returns>
    public static string Source(string sourceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        return SourcePrefix + sourceName;
    }
}
