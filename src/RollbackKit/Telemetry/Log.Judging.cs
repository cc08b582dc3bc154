using Microsoft.Extensions.Logging;

namespace RollbackKit.Telemetry;

internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Information, "RollbackKit judge started: {Judges} judges over {Targets} targets.")]
    public static partial void JudgeStarted(ILogger logger, int judges, int targets);

    [LoggerMessage(1101, LogLevel.Warning, "Judge {Trigger} failed {Target}: score {Score} ({Classification}); failed metrics: {Failed}.")]
    public static partial void JudgeFailed(ILogger logger, string trigger, string target, double score, Judging.JudgeClassification classification, string failed);

    [LoggerMessage(1102, LogLevel.Debug, "Judge {Trigger} for {Target}: score {Score} ({Classification}).")]
    public static partial void JudgeJudged(ILogger logger, string trigger, string target, double score, Judging.JudgeClassification classification);

    [LoggerMessage(1103, LogLevel.Warning, "Judge {Trigger}: metric {Metric} for {Target} has source errors ({Error}); no judgement this time.")]
    public static partial void JudgeQueryError(ILogger logger, string trigger, string metric, string target, string error);

    [LoggerMessage(1104, LogLevel.Error, "Judge {Trigger} run failed.")]
    public static partial void JudgeRunFailed(ILogger logger, string trigger, Exception exception);

    [LoggerMessage(1105, LogLevel.Warning, "Judge {Trigger} failed {Target} but no rollback dispatcher is registered.")]
    public static partial void JudgeNoDispatcher(ILogger logger, string trigger, string target);

    [LoggerMessage(1106, LogLevel.Error, "Judge {Trigger}: dispatching the rollback of {Target} failed.")]
    public static partial void JudgeDispatchFailed(ILogger logger, string trigger, string target, Exception exception);

    [LoggerMessage(1107, LogLevel.Information, "Dry run: judge {Trigger} failed {Target} (score {Score}); no action taken.")]
    public static partial void JudgeDryRunFailed(ILogger logger, string trigger, string target, double score);

    [LoggerMessage(1108, LogLevel.Information, "RollbackKit judge is disabled (RollbackKit:MonitorEnabled = false).")]
    public static partial void JudgeDisabled(ILogger logger);
}
