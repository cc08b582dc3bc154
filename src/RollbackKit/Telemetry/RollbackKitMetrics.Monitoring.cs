using System.Diagnostics;
using System.Diagnostics.Metrics;
using RollbackKit.Engine;
using RollbackKit.Triggers;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Histogram<double> _evaluationDuration = null!;
    private Histogram<double> _tickDuration = null!;
    private Counter<long> _verdicts = null!;
    private Counter<long> _triggerFired = null!;
    private Counter<long> _queryErrors = null!;
    private Histogram<double> _detectionTime = null!;

    partial void CreateMonitoringInstruments(Meter meter)
    {
        _evaluationDuration = meter.CreateHistogram<double>("rollbackkit.evaluation.duration", "s", "Time the engine took to evaluate every trigger for every target in one tick.");
        _tickDuration = meter.CreateHistogram<double>("rollbackkit.tick.duration", "s", "Time of one monitor tick, queries included.");
        _verdicts = meter.CreateCounter<long>("rollbackkit.verdicts", "{verdict}", "Verdicts by outcome.");
        _triggerFired = meter.CreateCounter<long>("rollbackkit.trigger.fired", "{fire}", "Triggers that fired.");
        _queryErrors = meter.CreateCounter<long>("rollbackkit.query.errors", "{error}", "Queries that returned an error.");
        _detectionTime = meter.CreateHistogram<double>("rollbackkit.trigger.detection_time", "s", "From the first failing measurement of a trigger to the dispatch of its request (includes the trigger's For duration).");
    }

    /// <summary>The engine evaluated one tick in <paramref name="elapsed"/>; counts the verdicts by outcome.</summary>
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

        _verdicts.Add(pass, new KeyValuePair<string, object?>(RollbackKitTags.Outcome, "pass"));
        _verdicts.Add(fail, new KeyValuePair<string, object?>(RollbackKitTags.Outcome, "fail"));
        _verdicts.Add(inconclusive, new KeyValuePair<string, object?>(RollbackKitTags.Outcome, "inconclusive"));
        _verdicts.Add(error, new KeyValuePair<string, object?>(RollbackKitTags.Outcome, "error"));
    }

    /// <summary>One monitor tick, queries included, took <paramref name="elapsed"/>.</summary>
    public void Ticked(TimeSpan elapsed) => _tickDuration.Record(elapsed.TotalSeconds);

    /// <summary>A trigger fired (dry-run included).</summary>
    public void TriggerFired(TriggerDefinition trigger) => _triggerFired.Add(1, new TagList
    {
        { RollbackKitTags.Trigger, trigger.Name },
        { RollbackKitTags.Severity, trigger.Severity.ToPriority() },
        { RollbackKitTags.DryRun, trigger.DryRun },
    });

    /// <summary>A query returned an error in a tick; tagged with the query and the source that answers it.</summary>
    public void QueryError(string query, string source) => _queryErrors.Add(
        1,
        new KeyValuePair<string, object?>(RollbackKitTags.Query, query),
        new KeyValuePair<string, object?>(RollbackKitTags.Source, source));

    /// <summary>A request was dispatched <paramref name="latency"/> after the first failing measurement that caused it.</summary>
    public void DetectionTime(TimeSpan latency) => _detectionTime.Record(Math.Max(0, latency.TotalSeconds));
}
