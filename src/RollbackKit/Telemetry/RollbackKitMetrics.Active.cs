using System.Diagnostics.Metrics;
using RollbackKit.Workflow;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    /// <summary>The states a run can be in while it is pending or running, each reported (0 included) so every series exists.</summary>
    private static readonly RollbackState[] s_activeStates =
    [
        RollbackState.RollbackPending,
        RollbackState.AwaitingApproval,
        RollbackState.RollingBack,
        RollbackState.Verifying,
    ];

    private RollbackRegistry? _registry;

    partial void CreateActiveInstruments(Meter meter) =>
        meter.CreateObservableUpDownCounter(
            "rollbackkit.rollback.active",
            ObserveActive,
            "{rollback}",
            "Rollbacks pending or running in this process, by state (AwaitingApproval: waiting for an acknowledgement or approval).");

    /// <summary>Reports the runs of <paramref name="registry"/> on <c>rollbackkit.rollback.active</c> (called once, when the registry is created).</summary>
    public void ObserveRollbacks(RollbackRegistry registry) => _registry = registry;

    private IEnumerable<Measurement<int>> ObserveActive()
    {
        if (_registry is not { } registry)
        {
            return [];
        }

        // Read when a metrics reader collects (a scrape), not on any hot path.
        var counts = new int[s_activeStates.Length];
        foreach (var status in registry.Active())
        {
            var index = Array.IndexOf(s_activeStates, status.State);
            if (index >= 0)
            {
                counts[index]++;
            }
        }

        var measurements = new Measurement<int>[s_activeStates.Length];
        for (var i = 0; i < measurements.Length; i++)
        {
            measurements[i] = new Measurement<int>(counts[i], new KeyValuePair<string, object?>(RollbackKitTags.State, s_activeStates[i].ToString()));
        }

        return measurements;
    }
}
