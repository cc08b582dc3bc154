using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Verification;

/// <summary>
/// Measures one target now: queries the sources for that target alone and classifies every trigger with the
/// monitor's compiled engine (<see cref="EvaluationEngine.Measure"/>), which neither reads nor changes the monitor's
/// timing state; baselines captured by the monitor for the target are used. No engine is built per probe. Each probe
/// is a <c>rollbackkit.verify</c> span with a <c>rollbackkit.query</c> child per query.
/// </summary>
internal sealed class TargetHealthProbe(
    CompiledConfiguration configuration,
    TimeProvider timeProvider,
    RollbackKitMetrics metrics,
    ILogger<TargetHealthProbe>? logger = null) : ITargetHealthProbe
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (configuration.Triggers.Count == 0)
        {
            return new TargetHealth(true, "no triggers configured", []);
        }

        using var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.verify");
        activity?.SetTag(RollbackKitTags.TargetId, target.Id);
        var started = timeProvider.GetTimestamp();
        var engine = configuration.Engine;
        var now = timeProvider.GetUtcNow();
        var (values, statuses) = await MeasureValuesAsync(engine, target, now, cancellationToken).ConfigureAwait(false);

        var verdicts = new TriggerVerdict[engine.Triggers.Count];
        engine.Measure(values, statuses, verdicts);
        var healthy = true;
        var summary = new StringBuilder();
        for (var t = 0; t < verdicts.Length; t++)
        {
            var verdict = verdicts[t];
            var trigger = engine.Triggers[t];
            if (verdict.Outcome == VerdictOutcome.Fail && trigger.Action == TriggerAction.Rollback && !trigger.DryRun)
            {
                healthy = false;
                if (summary.Length > 0)
                {
                    summary.Append("; ");
                }

                summary.Append(trigger.Name).Append(" failing (").Append(Format(verdict.Actual))
                    .Append(" vs ").Append(Format(verdict.Threshold)).Append(')');
            }
        }

        var measured = new List<MeasuredValue>(engine.ValueNames.Count);
        for (var i = 0; i < engine.ValueNames.Count; i++)
        {
            measured.Add(new MeasuredValue(engine.ValueNames[i], values[i]));
        }

        var health = new TargetHealth(healthy, healthy ? "all triggers passing" : summary.ToString(), measured);
        activity?.SetTag(RollbackKitTags.Healthy, healthy);
        metrics.Verified(healthy, timeProvider.GetElapsedTime(started));
        Log.TargetProbed(_logger, target.Id, health.Summary);
        return health;
    }

    /// <summary>
    /// Queries every value for the target alone (queries first, then the baselines the monitor captured for it;
    /// a baseline without a value, or of a target the monitor does not know, has no data).
    /// </summary>
    private async Task<(double[] Values, MetricSampleStatus[] Statuses)> MeasureValuesAsync(
        EvaluationEngine engine, RollbackTarget target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var queries = configuration.Queries;
        var single = new[] { target };
        var batches = new MetricQueryBatch[queries.Length];
        var tasks = new Task[queries.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new MetricQueryBatch(queries[i], single);
            batches[i].Reset(now);
            tasks[i] = MetricQueryRunner.RunAsync(configuration.SourceOf(i), batches[i], timeProvider, cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);

        var values = new double[engine.ValueNames.Count];
        var statuses = new MetricSampleStatus[values.Length];
        Array.Fill(values, double.NaN);
        for (var i = 0; i < batches.Length; i++)
        {
            values[i] = batches[i].Values[0];
            statuses[i] = batches[i].Statuses[0];
        }

        var monitored = configuration.IndexOf(target.Id);
        for (var b = queries.Length; monitored >= 0 && b < values.Length; b++)
        {
            var value = engine.GetValues(b)[monitored];
            if (!double.IsNaN(value))
            {
                values[b] = value;
                statuses[b] = MetricSampleStatus.Value;
            }
        }

        return (values, statuses);
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
