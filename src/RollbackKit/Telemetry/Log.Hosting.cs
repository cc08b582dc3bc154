using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Took over {Count} unfinished rollbacks from the journal")]
    public static partial void TookOver(ILogger logger, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Looking for unfinished rollbacks failed")]
    public static partial void ScanFailed(ILogger logger, Exception exception);
}
