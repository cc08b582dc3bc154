using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 802, Level = LogLevel.Error, Message = "Journal {Path}: line {Line} is not a valid record ({Reason}); copied to {CorruptPath}")]
    public static partial void QuarantinedLine(ILogger logger, string path, int line, string reason, string corruptPath);

    [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "Journal quarantine file {CorruptPath} could not be written or read")]
    public static partial void QuarantineWriteFailed(ILogger logger, string corruptPath, Exception exception);
}
