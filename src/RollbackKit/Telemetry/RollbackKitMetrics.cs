using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

/// <summary>
/// Every instrument of the core package, on the one meter <see cref="RollbackKitTelemetry.MeterName"/> created through
/// <see cref="IMeterFactory"/> (which owns and disposes it). Instruments are declared in partial files by area
/// (<c>RollbackKitMetrics.Monitoring.cs</c>, <c>RollbackKitMetrics.Workflow.cs</c>, …), each implementing its own
/// <c>Create…Instruments</c> partial method below, and documented in <c>docs/telemetry.md</c>.
/// </summary>
internal sealed partial class RollbackKitMetrics
{
    /// <summary>Creates the meter and every instrument.</summary>
    public RollbackKitMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(RollbackKitTelemetry.MeterName);
        CreateMonitoringInstruments(Meter);
        CreateVerificationInstruments(Meter);
        CreateDispatchInstruments(Meter);
        CreateApprovalInstruments(Meter);
        CreateWorkflowInstruments(Meter);
        CreatePlaybookInstruments(Meter);
        CreateJournalInstruments(Meter);
        CreateNotificationInstruments(Meter);
        CreateActiveInstruments(Meter);
    }

    /// <summary>The meter every instrument lives on.</summary>
    public Meter Meter { get; }

    // Each area's partial file implements its own method and keeps its instruments in its own fields.
    partial void CreateMonitoringInstruments(Meter meter);

    partial void CreateVerificationInstruments(Meter meter);

    partial void CreateDispatchInstruments(Meter meter);

    partial void CreateApprovalInstruments(Meter meter);

    partial void CreateWorkflowInstruments(Meter meter);

    partial void CreatePlaybookInstruments(Meter meter);

    partial void CreateJournalInstruments(Meter meter);

    partial void CreateNotificationInstruments(Meter meter);

    partial void CreateActiveInstruments(Meter meter);
}
