using System.Diagnostics;
using RollbackKit.Telemetry;

namespace RollbackKit.Slack.Internal;

/// <summary>The Slack package's <see cref="ActivitySource"/>, named <c>RollbackKit</c> like every package's.</summary>
internal static class SlackActivitySource
{
    /// <summary>The source the package's spans start from.</summary>
    public static readonly ActivitySource Instance = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(SlackActivitySource).Assembly.GetName().Version?.ToString());
}
