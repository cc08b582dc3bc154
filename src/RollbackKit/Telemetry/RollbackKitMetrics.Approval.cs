using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Histogram<double> _approvalWait = null!;

    partial void CreateApprovalInstruments(Meter meter) =>
        _approvalWait = meter.CreateHistogram<double>("rollbackkit.approval.wait", "s", "Time spent waiting for an acknowledgement or approval.");

    /// <summary>A wait for an acknowledgement or approval ended after <paramref name="wait"/>.</summary>
    public void ApprovalWait(RollbackRequest request, TimeSpan wait) => _approvalWait.Record(wait.TotalSeconds, RequestTags(request));
}
