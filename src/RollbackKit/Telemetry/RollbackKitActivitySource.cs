using System.Diagnostics;

namespace RollbackKit.Telemetry;

/// <summary>The one <see cref="ActivitySource"/> of the core package. Spans are documented in <c>docs/telemetry.md</c>.</summary>
internal static class RollbackKitActivitySource
{
    /// <summary>The source every core span starts from; listeners subscribe by <see cref="RollbackKitTelemetry.ActivitySourceName"/>.</summary>
    public static readonly ActivitySource Instance = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(RollbackKitActivitySource).Assembly.GetName().Version?.ToString());
}
