using System.Diagnostics.Metrics;
using RollbackKit.Engine;
using RollbackKit.Triggers;

namespace RollbackKit.Monitoring;

/// <summary>The monitor's instruments on meter <c>RollbackKit</c>.</summary>
internal sealed class MonitorMetrics
{
    public const string MeterName = "RollbackKit";

    private readonly Histogram<double> _evaluationDuration;
    private readonly Histogram<double> _tickDuration;
    private readonly Counter<long> _verdicts;
    private readonly Counter<long> _fired;
    private readonly Counter<long> _queryErrors;
    private readonly Histogram<double> _detectionLatency;

    private static readonly Meter s_fallbackMeter = new(MeterName);

    public MonitorMetrics(IServiceProvider services)
    {
        // A generic host registers IMeterFactory; a bare service collection may not, then a process-wide meter is used.
        var meterFactory = (IMeterFactory?)services.GetService(typeof(IMeterFactory));
        var meter = meterFactory?.Create(MeterName) ?? s_fallbackMeter;
        _evaluationDuration = meter.CreateHistogram<double>("rollbackkit.evaluation.duration", "s", "Time the engine took to evaluate every trigger for every target in one tick.");
        _tickDuration = meter.CreateHistogram<double>("rollbackkit.tick.duration", "s", "Time of one monitor tick, queries included.");
        _verdicts = meter.CreateCounter<long>("rollbackkit.verdicts", "{verdict}", "Verdicts by outcome.");
        _fired = meter.CreateCounter<long>("rollbackkit.trigger.fired", "{fire}", "Triggers that fired.");
        _queryErrors = meter.CreateCounter<long>("rollbackkit.query.errors", "{error}", "Queries that returned an error.");
        _detectionLatency = meter.CreateHistogram<double>("rollbackkit.trigger.detection_time", "s", "From the first failing measurement of a trigger to the dispatch of its request (includes the trigger's For duration).");
    }

    public void Evaluated(TimeSpan elapsed, ReadOnlySpan<TriggerVerdict> verdicts)
    {
        _evaluationDuration.Record(elapsed.TotalSeconds);
        if (!_verdicts.Enabled)
        {
            return;
        }

        long pass = 0, fail = 0, inconclusive = 0, error = 0;
        foreach (ref readonly var verdict in verdicts)
        {
            switch (verdict.Outcome)
            {
                case VerdictOutcome.Pass: pass++; break;
                case VerdictOutcome.Fail: fail++; break;
                case VerdictOutcome.Inconclusive: inconclusive++; break;
                case VerdictOutcome.Error: error++; break;
                default: break;
            }
        }

        _verdicts.Add(pass, new KeyValuePair<string, object?>("outcome", "pass"));
        _verdicts.Add(fail, new KeyValuePair<string, object?>("outcome", "fail"));
        _verdicts.Add(inconclusive, new KeyValuePair<string, object?>("outcome", "inconclusive"));
        _verdicts.Add(error, new KeyValuePair<string, object?>("outcome", "error"));
    }

    public void Ticked(TimeSpan elapsed) => _tickDuration.Record(elapsed.TotalSeconds);

    public void Fired(TriggerDefinition trigger) => _fired.Add(
        1,
        new KeyValuePair<string, object?>("trigger", trigger.Name),
        new KeyValuePair<string, object?>("severity", trigger.Severity.ToPriority()),
        new KeyValuePair<string, object?>("dry_run", trigger.DryRun));

    public void QueryError(string query) => _queryErrors.Add(1, new KeyValuePair<string, object?>("query", query));

    public void DetectionToDecision(TimeSpan latency) => _detectionLatency.Record(Math.Max(0, latency.TotalSeconds));
}
