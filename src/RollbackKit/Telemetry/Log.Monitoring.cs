using Microsoft.Extensions.Logging;
using RollbackKit.Triggers;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "RollbackKit monitor is disabled (RollbackKit:MonitorEnabled = false).")]
    public static partial void MonitorDisabled(ILogger logger);

    [LoggerMessage(201, LogLevel.Warning, "RollbackKit monitor has nothing to evaluate ({Targets} targets, {Triggers} triggers).")]
    public static partial void NothingToMonitor(ILogger logger, int targets, int triggers);

    [LoggerMessage(202, LogLevel.Information, "RollbackKit monitor started: {Targets} targets × {Triggers} triggers every {Interval}.")]
    public static partial void MonitorStarted(ILogger logger, int targets, int triggers, TimeSpan interval);

    [LoggerMessage(203, LogLevel.Error, "RollbackKit monitor tick failed.")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(204, LogLevel.Warning, "Query {Query} returned an error: {Error}")]
    public static partial void QueryFailed(ILogger logger, string query, string error);

    [LoggerMessage(205, LogLevel.Warning, "Trigger {Trigger} fired for {Target}: actual {Actual}, threshold {Threshold}, severity {Severity}.")]
    public static partial void TriggerFired(ILogger logger, string trigger, string target, double actual, double threshold, RollbackSeverity severity);

    [LoggerMessage(206, LogLevel.Information, "Dry run: trigger {Trigger} fired for {Target} (actual {Actual}, threshold {Threshold}); no action taken.")]
    public static partial void DryRunFired(ILogger logger, string trigger, string target, double actual, double threshold);

    [LoggerMessage(207, LogLevel.Warning, "Trigger {Trigger} for {Target}: {Errors} consecutive measurement errors ({Error}).")]
    public static partial void ErrorLimitReached(ILogger logger, string trigger, string target, int errors, string error);

    [LoggerMessage(208, LogLevel.Error, "Dispatching the rollback request for {Target} failed.")]
    public static partial void DispatchFailed(ILogger logger, string target, Exception exception);

    [LoggerMessage(209, LogLevel.Error, "No IRollbackDispatcher is registered; the request for {Target} was dropped.")]
    public static partial void NoDispatcher(ILogger logger, string target);
}
