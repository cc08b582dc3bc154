using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Histogram<double> _verificationDuration = null!;

    partial void CreateVerificationInstruments(Meter meter) =>
        _verificationDuration = meter.CreateHistogram<double>("rollbackkit.verification.duration", "s", "Time of one health probe of a target (its queries and the evaluation), by outcome.");

    /// <summary>A health probe measured a target as <paramref name="healthy"/> in <paramref name="elapsed"/>.</summary>
    public void Verified(bool healthy, TimeSpan elapsed) =>
        _verificationDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(RollbackKitTags.Outcome, healthy ? "healthy" : "unhealthy"));
}
