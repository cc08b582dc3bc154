using RollbackKit.Dispatch;
using RollbackKit.Metrics;

namespace RollbackKit.Prometheus.Tests.Infrastructure;

/// <summary>
/// Plays the evaluation engine's part in the scenario tests: one trigger whose condition (<c>isFailing(value)</c>) must
/// hold continuously for <c>for</c> before it fires; no data is inconclusive (keeps the timer); source errors never
/// fire but raise an alert after <c>errorLimit</c> in a row. Replace with <c>RollbackKit.Engine.EvaluationEngine</c>
/// once the engine is implemented (same semantics as <see cref="Triggers.TriggerDefinition"/>).
/// </summary>
internal sealed class LocalTriggerEvaluator(Func<double, bool> isFailing, TimeSpan @for, int errorLimit = 3)
{
    private DateTimeOffset? _failingSince;
    private int _consecutiveErrors;

    public DateTimeOffset? FirstFailingAt { get; private set; }

    public DateTimeOffset? FiredAt { get; private set; }

    public int FailingObservations { get; private set; }

    public int ErrorObservations { get; private set; }

    public bool ErrorAlertRaised { get; private set; }

    /// <summary>Feeds one measurement; returns <see langword="true"/> on the tick the trigger fires.</summary>
    public bool Observe(DateTimeOffset now, MetricSampleStatus status, double value)
    {
        if (status == MetricSampleStatus.Error)
        {
            ErrorObservations++;
            if (++_consecutiveErrors >= errorLimit)
            {
                ErrorAlertRaised = true;
            }

            return false;
        }

        _consecutiveErrors = 0;
        if (status != MetricSampleStatus.Value || double.IsNaN(value))
        {
            return false;
        }

        if (!isFailing(value))
        {
            _failingSince = null;
            return false;
        }

        FailingObservations++;
        FirstFailingAt ??= now;
        _failingSince ??= now;
        if (FiredAt is null && now - _failingSince.Value >= @for)
        {
            FiredAt = now;
            return true;
        }

        return false;
    }
}

/// <summary>One evaluation of a replay.</summary>
internal readonly record struct ReplayStep(DateTimeOffset Time, MetricSampleStatus Status, double Value, bool Fired, string? Error)
{
    public override string ToString() => $"{Time:HH:mm:ss} {Status} {Value:0.###}{(Fired ? " FIRED" : string.Empty)}{(Error is null ? string.Empty : " " + Error)}";
}

/// <summary>Walks evaluation times through a metric source and a trigger evaluator, dispatching a rollback when it fires.</summary>
internal static class ScenarioReplay
{
    public static async Task<List<ReplayStep>> RunAsync(
        IMetricSource source,
        MetricQueryBatch batch,
        int targetIndex,
        LocalTriggerEvaluator evaluator,
        DateTimeOffset start,
        DateTimeOffset end,
        TimeSpan step,
        IRollbackDispatcher? dispatcher = null)
    {
        var steps = new List<ReplayStep>();
        for (var time = start; time <= end; time += step)
        {
            batch.Reset(time);
            await source.QueryAsync(batch, CancellationToken.None);
            var status = batch.Statuses[targetIndex];
            var value = batch.Values[targetIndex];
            var fired = evaluator.Observe(time, status, value);
            steps.Add(new ReplayStep(time, status, value, fired, status == MetricSampleStatus.Error ? batch.Error : null));
            if (fired && dispatcher is not null)
            {
                await dispatcher.DispatchAsync(new RollbackRequest
                {
                    Target = batch.Targets[targetIndex],
                    TriggerType = RollbackTriggerType.MetricTrigger,
                    Reason = $"{batch.Query.Name} = {value}",
                    RequestedAt = time,
                });
            }
        }

        return steps;
    }

    public static string Describe(IEnumerable<ReplayStep> steps) => string.Join('\n', steps);
}
