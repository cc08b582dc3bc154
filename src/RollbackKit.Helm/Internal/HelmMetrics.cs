using System.Diagnostics;
using System.Diagnostics.Metrics;
using RollbackKit.Telemetry;

namespace RollbackKit.Helm.Internal;

/// <summary>Helm command metrics, on the <c>RollbackKit</c> meter from <see cref="IMeterFactory"/> (which owns it).</summary>
internal sealed class HelmMetrics
{
    /// <summary>The span around one helm process.</summary>
    public const string CommandSpanName = "rollbackkit.helm.command";

    /// <summary>Tag: the helm sub-command (<c>version</c>, <c>history</c>, <c>rollback</c>, <c>status</c>).</summary>
    public const string CommandTag = "helm.command";

    /// <summary>Tag: <c>success</c>, <c>failure</c>, <c>timeout</c> or <c>cancelled</c> (commands); the step's outcome (rollbacks).</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>Span tag: the process exit code.</summary>
    public const string ExitCodeTag = "process.exit.code";

    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _rollbacks;

    public HelmMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RollbackKitTelemetry.MeterName);
        _commandDuration = meter.CreateHistogram<double>(
            "rollbackkit.helm.command.duration", "s", "Duration of helm commands run by RollbackKit.");
        _rollbacks = meter.CreateCounter<long>(
            "rollbackkit.helm.rollbacks", "{rollback}", "Helm rollbacks attempted, by outcome.");
    }

    /// <summary>Records one command's duration and returns its outcome tag value.</summary>
    public string RecordCommand(string command, ProcessRunResult result)
    {
        var outcome = result.Outcome switch
        {
            ProcessOutcome.TimedOut => "timeout",
            ProcessOutcome.Cancelled => "cancelled",
            _ => result.ExitCode == 0 ? "success" : "failure",
        };
        _commandDuration.Record(
            result.Duration.TotalSeconds,
            new KeyValuePair<string, object?>(CommandTag, command),
            new KeyValuePair<string, object?>(OutcomeTag, outcome));
        return outcome;
    }

    public void RecordRollback(string outcome) => _rollbacks.Add(1, new KeyValuePair<string, object?>(OutcomeTag, outcome));
}

/// <summary>The Helm package's <see cref="ActivitySource"/>, named <c>RollbackKit</c> like every package's.</summary>
internal static class HelmActivitySource
{
    /// <summary>The source the package's spans start from.</summary>
    public static readonly ActivitySource Instance = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(HelmActivitySource).Assembly.GetName().Version?.ToString());
}
