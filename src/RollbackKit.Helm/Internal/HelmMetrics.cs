using System.Diagnostics.Metrics;

namespace RollbackKit.Helm.Internal;

/// <summary>Helm command metrics on the <c>RollbackKit</c> meter.</summary>
internal sealed class HelmMetrics
{
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _rollbacks;

    public HelmMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create("RollbackKit") ?? new Meter("RollbackKit");
        _commandDuration = meter.CreateHistogram<double>(
            "rollbackkit.helm.command.duration", "s", "Duration of helm commands run by RollbackKit.");
        _rollbacks = meter.CreateCounter<long>(
            "rollbackkit.helm.rollbacks", "{rollback}", "Helm rollbacks attempted, by outcome.");
    }

    public void RecordCommand(string command, ProcessRunResult result)
    {
        var outcome = result.Outcome switch
        {
            ProcessOutcome.TimedOut => "timeout",
            ProcessOutcome.Cancelled => "cancelled",
            _ => result.ExitCode == 0 ? "success" : "failure",
        };
        _commandDuration.Record(
            result.Duration.TotalSeconds,
            new KeyValuePair<string, object?>("helm.command", command),
            new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void RecordRollback(string outcome) => _rollbacks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
