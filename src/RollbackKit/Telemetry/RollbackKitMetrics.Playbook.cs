using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Histogram<double> _stepDuration = null!;

    partial void CreatePlaybookInstruments(Meter meter) =>
        _stepDuration = meter.CreateHistogram<double>("rollbackkit.step.duration", "s", "Duration of one playbook step, retries included.");

    /// <summary>A playbook step of <paramref name="stepType"/> finished after <paramref name="duration"/>.</summary>
    public void StepCompleted(string stepType, bool succeeded, TimeSpan duration) =>
        _stepDuration.Record(duration.TotalSeconds, new TagList
        {
            { RollbackKitTags.StepType, stepType },
            { RollbackKitTags.Outcome, succeeded ? "succeeded" : "failed" },
        });
}
