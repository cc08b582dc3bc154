using System.Diagnostics;
using RollbackKit.Telemetry;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>The PagerDuty package's <see cref="ActivitySource"/>, named <c>RollbackKit</c> like every package's.</summary>
internal static class PagerDutyActivitySource
{
    /// <summary>The source the package's spans start from.</summary>
    public static readonly ActivitySource Instance = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(PagerDutyActivitySource).Assembly.GetName().Version?.ToString());
}
