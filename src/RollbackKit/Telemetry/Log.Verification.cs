using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Debug, "Health probe of {Target}: {Summary}.")]
    public static partial void TargetProbed(ILogger logger, string target, string summary);
}
