using System.Diagnostics;
using System.Diagnostics.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Counter<long> _rollbackStarted = null!;
    private Counter<long> _rollbackSucceeded = null!;
    private Counter<long> _rollbackFailed = null!;
    private Counter<long> _rollbackNeedsAttention = null!;
    private Histogram<double> _rollbackDuration = null!;
    private Histogram<double> _detectionLatency = null!;

    partial void CreateWorkflowInstruments(Meter meter)
    {
        _rollbackStarted = meter.CreateCounter<long>("rollbackkit.rollback.started", "{rollback}", "Rollbacks whose playbook started.");
        _rollbackSucceeded = meter.CreateCounter<long>("rollbackkit.rollback.succeeded", "{rollback}", "Rollbacks that finished and verified healthy.");
        _rollbackFailed = meter.CreateCounter<long>("rollbackkit.rollback.failed", "{rollback}", "Rollbacks whose playbook or verification failed.");
        _rollbackNeedsAttention = meter.CreateCounter<long>("rollbackkit.rollback.needs_attention", "{rollback}", "Rollbacks that ended needing a human: left unfinished and not resumed, an interrupted step not run again, or an inconsistent journal history.");
        _rollbackDuration = meter.CreateHistogram<double>("rollbackkit.rollback.duration", "s", "Playbook start to verified outcome.");
        _detectionLatency = meter.CreateHistogram<double>("rollbackkit.detection.latency", "s", "Detection (trigger fired or request made) to the decision to roll back.");
    }

    /// <summary>The tags every rollback instrument carries: trigger type and severity.</summary>
    internal static TagList RequestTags(RollbackRequest request) => new()
    {
        { RollbackKitTags.TriggerType, request.TriggerType.ToString() },
        { RollbackKitTags.Severity, request.Severity.ToPriority() },
    };

    /// <summary>A rollback's playbook started.</summary>
    public void RollbackStarted(RollbackRequest request) => _rollbackStarted.Add(1, RequestTags(request));

    /// <summary>A rollback finished rolled back and verified; <paramref name="duration"/> from playbook start.</summary>
    public void RollbackSucceeded(RollbackRequest request, TimeSpan duration)
    {
        var tags = RequestTags(request);
        _rollbackSucceeded.Add(1, tags);
        _rollbackDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A rollback failed (playbook or verification); <paramref name="duration"/> from playbook start.</summary>
    public void RollbackFailed(RollbackRequest request, TimeSpan duration)
    {
        var tags = RequestTags(request);
        _rollbackFailed.Add(1, tags);
        _rollbackDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A rollback ended in <see cref="RollbackState.NeedsAttention"/>.</summary>
    public void RollbackNeedsAttention(RollbackRequest request) => _rollbackNeedsAttention.Add(1, RequestTags(request));

    /// <summary>Time from detection to the decision to roll back (never negative).</summary>
    public void DetectionLatency(RollbackRequest request, TimeSpan latency) =>
        _detectionLatency.Record(Math.Max(0, latency.TotalSeconds), RequestTags(request));
}
