using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Rollback {RollbackId}: step {Step} succeeded={Succeeded} in {Duration} ({Attempts} attempts): {Message}")]
    public static partial void StepCompleted(ILogger logger, string rollbackId, string step, bool succeeded, TimeSpan duration, int attempts, string? message);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "The playbook of {Target} has no steps")]
    public static partial void EmptyPlaybook(ILogger logger, string target);
}
