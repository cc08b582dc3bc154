using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Journal {Path}: skipped line {Line} ({Kind}): {Error}")]
    public static partial void SkippedLine(ILogger logger, string path, int line, string kind, string error);
}
