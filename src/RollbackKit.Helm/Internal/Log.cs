using Microsoft.Extensions.Logging;

namespace RollbackKit.Helm.Internal;

/// <summary>Every <c>[LoggerMessage]</c> of the Helm package, with event ids in the package's range 4000–4999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Running {CommandLine}")]
    public static partial void HelmCommandStarting(ILogger logger, string commandLine);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "{CommandLine} exited with {ExitCode} after {DurationMs:0} ms")]
    public static partial void HelmCommandFinished(ILogger logger, string commandLine, int exitCode, double durationMs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "{CommandLine} ran longer than {TimeoutSeconds:0.#} s; its process tree was killed")]
    public static partial void HelmCommandTimedOut(ILogger logger, string commandLine, double timeoutSeconds);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{CommandLine} was cancelled; its process tree was killed")]
    public static partial void HelmCommandCancelled(ILogger logger, string commandLine);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Using helm {Version} at {Path}")]
    public static partial void HelmVersionDetected(ILogger logger, HelmVersion version, string path);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Rolling back release {Release} in {Namespace} from revision {Current} to revision {Target}")]
    public static partial void RevisionChosen(ILogger logger, string release, string @namespace, int current, int target);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Release {Release} in {Namespace} is {Status}; refusing to roll back while another helm operation is in flight")]
    public static partial void PendingRefused(ILogger logger, string release, string @namespace, string status);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Release {Release} in {Namespace} is {Status}; rolling back anyway because allowPending is set")]
    public static partial void PendingAllowed(ILogger logger, string release, string @namespace, string status);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Rolled back release {Release} in {Namespace} to revision {Target}; new revision {NewRevision}")]
    public static partial void RollbackSucceeded(ILogger logger, string release, string @namespace, int target, int newRevision);
}
