using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

/// <summary>
/// Every instrument of the core package, on the one meter <see cref="RollbackKitTelemetry.MeterName"/> created through
/// <see cref="IMeterFactory"/> (which owns and disposes it). Instruments are declared in partial files by area
/// (<c>RollbackKitMetrics.Monitoring.cs</c>, <c>RollbackKitMetrics.Workflow.cs</c>, …) and documented in <c>docs/telemetry.md</c>.
/// </summary>
internal sealed partial class RollbackKitMetrics
{
    /// <summary>Creates the meter and every instrument.</summary>
    public RollbackKitMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(RollbackKitTelemetry.MeterName);
        CreateInstruments(Meter);
    }

    /// <summary>The meter every instrument lives on.</summary>
    public Meter Meter { get; }

    /// <summary>Each area's partial file creates its instruments here.</summary>
    partial void CreateInstruments(Meter meter);
}
