using RollbackKit.Dispatch;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Tests.Infrastructure;

/// <summary>
/// Evaluates one trigger for one target with RollbackKit's <see cref="EvaluationEngine"/>, one measurement at a time:
/// the condition must fail continuously for <c>for</c> before the trigger fires; no data is inconclusive (keeps the
/// timer); source errors never fire but raise an alert after <c>errorLimit</c> in a row.
/// </summary>
internal sealed class TriggerEvaluator
{
    private readonly EvaluationEngine _engine;
    private readonly int _valueIndex;
    private readonly TriggerVerdict[] _verdicts;

    public TriggerEvaluator(string queryName, string condition, TimeSpan @for, int errorLimit = 3)
    {
        var target = new RollbackTarget("scenario-target");
        var trigger = new TriggerDefinition { Name = "scenario", Condition = condition, For = @for, ErrorLimit = errorLimit };
        _engine = new EvaluationEngine([target], [queryName], [trigger]);
        _valueIndex = _engine.GetValueIndex(queryName);
        _verdicts = new TriggerVerdict[_engine.VerdictCount];
    }

    public DateTimeOffset? FirstFailingAt { get; private set; }

    public DateTimeOffset? FiredAt { get; private set; }

    public int FailingObservations { get; private set; }

    public int ErrorObservations { get; private set; }

    public bool ErrorAlertRaised { get; private set; }

    /// <summary>Feeds one measurement; returns <see langword="true"/> on the tick the trigger fires.</summary>
    public bool Observe(DateTimeOffset now, MetricSampleStatus status, double value)
    {
        _engine.GetValues(_valueIndex)[0] = value;
        _engine.GetStatuses(_valueIndex)[0] = status;
        _engine.Evaluate(now, _verdicts);
        var verdict = _verdicts[0];
        switch (verdict.Outcome)
        {
            case VerdictOutcome.Fail:
                FailingObservations++;
                FirstFailingAt ??= now;
                break;
            case VerdictOutcome.Error:
                ErrorObservations++;
                break;
        }

        ErrorAlertRaised |= verdict.ErrorLimitReached;
        if (verdict.Fired && FiredAt is null)
        {
            FiredAt = now;
        }

        return verdict.Fired;
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
        TriggerEvaluator evaluator,
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
