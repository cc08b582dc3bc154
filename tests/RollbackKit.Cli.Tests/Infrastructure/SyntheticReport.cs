using RollbackKit.Cli.Backtest;

namespace RollbackKit.Cli.Tests.Infrastructure;

/// <summary>A backtest report built in code, for rendering tests that do not need Prometheus.</summary>
internal static class SyntheticReport
{
    public static readonly DateTimeOffset From = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    /// <summary>One target and one trigger over 40 steps of 15 s: breaching from step 10, firing at step 14.</summary>
    public static BacktestReport Create(string targetId, string triggerName, string condition = "canary > baseline * 2")
    {
        var step = TimeSpan.FromSeconds(15);
        var points = new List<PointView>();
        for (var i = 0; i < 40; i++)
        {
            var failed = i is >= 10 and < 30;
            var state = !failed ? PointStates.Ok : i >= 14 ? PointStates.Fired : PointStates.Breaching;
            var values = new Dictionary<string, double> { ["canary"] = failed ? 0.06 : 0.01, ["baseline"] = 0.01 };
            points.Add(new PointView(From + (step * i), values, failed, state, failed ? "Fail" : "Pass", values["canary"], 0.02, "because " + triggerName));
        }

        var fire = new FireView(targetId, triggerName, From + (step * 14), "Critical", "Rollback", "Started", "would start a rollback <now>",
            new Dictionary<string, double> { ["canary"] = 0.06, ["baseline"] = 0.01 });
        return new BacktestReport(From, From + (step * 39), step, [fire],
            [new TargetView(targetId, [new TriggerView(triggerName, condition, points)], [])], [], []);
    }

    /// <summary>
    /// One target with one judge trigger over 41 judgements a minute apart: pass, marginal at minutes 20-22, failing from
    /// minute 23 (fired then), an error at minute 35 and no data at minute 36.
    /// </summary>
    public static BacktestReport WithJudge(string targetId, string judgeName)
    {
        var minute = TimeSpan.FromMinutes(1);
        var points = new List<JudgePointView>();
        for (var i = 0; i <= 40; i++)
        {
            var (classification, score) = i switch
            {
                35 => ((string?)null, double.NaN),
                36 => ("NoData", double.NaN),
                >= 23 => ("Fail", 0),
                >= 20 => ("Marginal", 80),
                _ => ("Pass", 100d),
            };
            var metrics = classification is null ? [] : new[] { new JudgeMetricView("latency", classification == "Fail" ? "Fail" : "Pass", classification == "Fail" ? 1e-5 : 0.4, classification == "Fail" ? 0.2 : 0.01, 120, 100, 21, 21) };
            points.Add(new JudgePointView(From + (minute * i), classification, score, classification == "Fail" ? ["latency"] : [], metrics, i == 23, i == 35 ? "query 'latency' failed" : null));
        }

        var fire = new FireView(targetId, judgeName, From + (minute * 23), "Critical", "Rollback", "Started", "would start a rollback",
            new Dictionary<string, double> { ["judge.score"] = 0, ["latency.p_value"] = 1e-5, ["latency.effect"] = 0.2 });
        var judge = new JudgeView(judgeName, ["latency"], TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(15), minute, 95, 75, points);
        return new BacktestReport(From, From + (minute * 40), TimeSpan.FromSeconds(30), [fire], [new TargetView(targetId, [], [judge])], [], []);
    }
}
