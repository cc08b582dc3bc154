using System.Text.Json;
using RollbackKit.Backtesting;
using RollbackKit.Cli.Backtest;
using RollbackKit.Dispatch;
using RollbackKit.Triggers;

namespace RollbackKit.Cli.Tests;

/// <summary>The JSON form of a backtest's fires, from the library's result (no Prometheus needed).</summary>
public sealed class BacktestJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 23, 0, TimeSpan.Zero);

    private static BacktestFire Fire(string target, DispatchStatus decision, string? group, string? rollbackId) => new()
    {
        Target = target,
        Trigger = "error-rate",
        At = At,
        Severity = RollbackSeverity.Critical,
        Action = TriggerAction.Rollback,
        Decision = decision,
        DecisionReason = "why",
        Reason = "error_rate > 2",
        Values = new Dictionary<string, double> { ["error_rate"] = 5 },
        Group = group,
        RollbackId = rollbackId,
    };

    [Fact]
    public void ToEmbeddedJson_FireOfAGroupMember_NamesTheGroupAndTheRollback()
    {
        var result = new BacktestResult
        {
            From = At,
            To = At,
            Step = TimeSpan.FromSeconds(15),
            Fires = [Fire("shop/api", DispatchStatus.Started, "shop-stack", "backtest-1"), Fire("shop/web", DispatchStatus.Joined, "shop-stack", "backtest-1"), Fire("shop/cart", DispatchStatus.AlertRaised, null, null)],
            Targets = [],
            Errors = [],
            Warnings = [],
        };

        using var json = JsonDocument.Parse(BacktestJson.ToEmbeddedJson(BacktestReportMapper.Map(result)));

        var fires = json.RootElement.GetProperty("fires").EnumerateArray().ToList();
        Assert.Equal(["shop-stack", "shop-stack", null], fires.Select(static f => f.GetProperty("group").GetString()));
        Assert.Equal(["backtest-1", "backtest-1", null], fires.Select(static f => f.GetProperty("rollbackId").GetString()));
        Assert.Equal("Joined", fires[1].GetProperty("decision").GetString());
        Assert.Equal("why", fires[1].GetProperty("reason").GetString());
    }

    [Fact]
    public void ToEmbeddedJson_DisabledJudge_PointsHaveTheDisabledState()
    {
        var point = new BacktestJudgePoint { At = At, Score = double.NaN, FailedMetrics = [], Metrics = [], Disabled = true };
        var judge = new BacktestJudge { Name = "canary-judge", Metrics = ["latency"], Interval = TimeSpan.FromMinutes(1), Points = [point], Fires = [] };
        var result = new BacktestResult
        {
            From = At,
            To = At,
            Step = TimeSpan.FromSeconds(15),
            Fires = [],
            Targets = [new BacktestTarget { Id = "shop/checkout", Triggers = [], Judges = [judge] }],
            Errors = [],
            Warnings = [],
        };

        using var json = JsonDocument.Parse(BacktestJson.ToEmbeddedJson(BacktestReportMapper.Map(result)));

        var judged = json.RootElement.GetProperty("targets")[0].GetProperty("judges")[0].GetProperty("points")[0];
        Assert.Equal("disabled", judged.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, judged.GetProperty("classification").ValueKind);
    }
}
