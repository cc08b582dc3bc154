using System.Diagnostics;
using System.Diagnostics.Metrics;
using RollbackKit.Dispatch;
using RollbackKit.Triggers;

namespace RollbackKit.Workflow;

/// <summary>Workflow instruments on the <c>RollbackKit</c> meter.</summary>
internal sealed class WorkflowMetrics : IDisposable
{
    public const string MeterName = "RollbackKit";
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _detection;
    private readonly Histogram<double> _approvalWait;

    public WorkflowMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        _started = _meter.CreateCounter<long>("rollbackkit.rollback.started", "{rollback}", "Rollbacks whose playbook started.");
        _succeeded = _meter.CreateCounter<long>("rollbackkit.rollback.succeeded", "{rollback}", "Rollbacks that finished and verified healthy.");
        _failed = _meter.CreateCounter<long>("rollbackkit.rollback.failed", "{rollback}", "Rollbacks whose playbook or verification failed.");
        _duration = _meter.CreateHistogram<double>("rollbackkit.rollback.duration", "s", "Playbook start to verified outcome.");
        _detection = _meter.CreateHistogram<double>("rollbackkit.detection.latency", "s", "Detection (trigger fired or request made) to the decision to roll back.");
        _approvalWait = _meter.CreateHistogram<double>("rollbackkit.approval.wait", "s", "Time spent waiting for an acknowledgement or approval.");
    }

    private static TagList Tags(RollbackRequest request) => new()
    {
        { "trigger.type", request.TriggerType.ToString() },
        { "severity", request.Severity.ToPriority() },
    };

    public void Started(RollbackRequest request) => _started.Add(1, Tags(request));

    public void Succeeded(RollbackRequest request, TimeSpan duration)
    {
        _succeeded.Add(1, Tags(request));
        _duration.Record(duration.TotalSeconds, Tags(request));
    }

    public void Failed(RollbackRequest request, TimeSpan duration)
    {
        _failed.Add(1, Tags(request));
        _duration.Record(duration.TotalSeconds, Tags(request));
    }

    public void DetectionLatency(RollbackRequest request, TimeSpan latency) => _detection.Record(Math.Max(0, latency.TotalSeconds), Tags(request));

    public void ApprovalWait(RollbackRequest request, TimeSpan wait) => _approvalWait.Record(wait.TotalSeconds, Tags(request));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
