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
}
