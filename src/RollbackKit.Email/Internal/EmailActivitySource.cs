using System.Diagnostics;
using RollbackKit.Telemetry;

namespace RollbackKit.Email.Internal;

/// <summary>The e-mail package's <see cref="ActivitySource"/>, named <c>RollbackKit</c> like every package's.</summary>
internal static class EmailActivitySource
{
    /// <summary>The source the package's spans start from.</summary>
    public static readonly ActivitySource Instance = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(EmailActivitySource).Assembly.GetName().Version?.ToString());
}
