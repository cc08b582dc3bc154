using RollbackKit.Backtesting;
using RollbackKit.Monitoring;

namespace RollbackKit.Cli.Backtest;

/// <summary>The one place that reads the library's <see cref="BacktestResult"/>: maps it to the CLI's <see cref="BacktestReport"/>.</summary>
internal static class BacktestReportMapper
{
    public static BacktestReport Map(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var fires = new List<FireView>(result.Fires.Count);
        foreach (var fire in result.Fires)
        {
            fires.Add(new FireView(
                fire.Target,
                fire.Trigger,
                fire.At,
                fire.Severity.ToString(),
                fire.Action.ToString(),
                fire.Decision.ToString(),
                fire.DecisionReason,
                fire.Values,
                fire.Group,
                fire.RollbackId));
        }

        var targets = new List<TargetView>(result.Targets.Count);
        foreach (var target in result.Targets)
        {
            var triggers = new List<TriggerView>(target.Triggers.Count);
            foreach (var trigger in target.Triggers)
            {
                var points = new List<PointView>(trigger.Points.Count);
                foreach (var point in trigger.Points)
                {
                    points.Add(new PointView(
                        point.At,
                        Values(point.Values),
                        point.Failed,
                        State(point),
                        point.Outcome.ToString(),
                        point.Actual ?? double.NaN,
                        point.Threshold ?? double.NaN,
                        point.Why));
                }

                triggers.Add(new TriggerView(trigger.Name, trigger.Condition, points));
            }

            targets.Add(new TargetView(target.Id, triggers, Judges(target.Judges)));
        }

        return new BacktestReport(result.From, result.To, result.Step, fires, targets, result.Errors, result.Warnings);
    }

    private static List<JudgeView> Judges(IReadOnlyList<BacktestJudge> judges)
    {
        var result = new List<JudgeView>(judges.Count);
        foreach (var judge in judges)
        {
            var points = new List<JudgePointView>(judge.Points.Count);
            foreach (var point in judge.Points)
            {
                var metrics = new List<JudgeMetricView>(point.Metrics.Count);
                for (var m = 0; m < point.Metrics.Count; m++)
                {
                    var r = point.Metrics[m];
                    metrics.Add(new JudgeMetricView(judge.Metrics[m], r.Outcome.ToString(), r.PValue, r.Effect, r.CanaryMedian, r.BaselineMedian, r.CanaryCount, r.BaselineCount));
                }

                points.Add(new JudgePointView(point.At, point.Classification?.ToString(), point.Score, point.FailedMetrics, metrics, point.Fired, point.Error, point.Disabled));
            }

            result.Add(new JudgeView(judge.Name, judge.Metrics, judge.Window, judge.Step, judge.Interval, judge.PassScore, judge.MarginalScore, points));
        }

        return result;
    }

    /// <summary>The timer state after a step, in the words of <see cref="PointStates"/>.</summary>
    internal static string State(TriggerExplanation point) => point.Outcome switch
    {
        TriggerOutcome.Disabled => PointStates.Disabled,
        TriggerOutcome.Error => PointStates.Error,
        TriggerOutcome.NoData => PointStates.NoData,
        _ when point.Fired || point.State.Latched => PointStates.Fired,
        _ when point.State.BreachingSince is not null => PointStates.Breaching,
        _ => PointStates.Ok,
    };

    private static Dictionary<string, double> Values(IReadOnlyList<MeasuredValue> values)
    {
        var result = new Dictionary<string, double>(values.Count, StringComparer.Ordinal);
        foreach (var value in values)
        {
            result[value.Name] = value.Value;
        }

        return result;
    }
}
