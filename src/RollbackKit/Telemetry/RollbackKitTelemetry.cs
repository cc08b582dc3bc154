namespace RollbackKit.Telemetry;

/// <summary>
/// Names under which RollbackKit reports telemetry: subscribe with
/// <c>AddOpenTelemetry().WithMetrics(m =&gt; m.AddMeter(RollbackKitTelemetry.MeterName)).WithTracing(t =&gt; t.AddSource(RollbackKitTelemetry.ActivitySourceName))</c>.
/// Every package (core and adapters) reports on this one meter and this one activity source. See <c>docs/telemetry.md</c>.
/// </summary>
public static class RollbackKitTelemetry
{
    /// <summary>Name of the <see cref="System.Diagnostics.Metrics.Meter"/> every instrument is created on: <c>RollbackKit</c>.</summary>
    public const string MeterName = "RollbackKit";

    /// <summary>Name of the <see cref="System.Diagnostics.ActivitySource"/> every span is started from: <c>RollbackKit</c>.</summary>
    public const string ActivitySourceName = "RollbackKit";
}
