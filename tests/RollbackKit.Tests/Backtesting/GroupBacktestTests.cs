using RollbackKit.Backtesting;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

/// <summary>A backtest decides a fire on a member of a coordinated group for the group as a whole, as the live dispatcher does.</summary>
public class GroupBacktestTests
{
    internal const string GroupId = "shop-stack";

    /// <summary>The group's members in deploy order, then a target in no group.</summary>
    internal static readonly string[] Targets = ["shop/db", "shop/api", "shop/web", "shop/cart"];

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset T0 = BacktestHost.Start;

    /// <summary>Targets, one query, one trigger (error rate above 2 for a minute), and the group of the first three targets.</summary>
    internal static void Configure(RollbackKitOptions o, string stepType, RollbackGroupOrder order = RollbackGroupOrder.Reverse)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(30);
        foreach (var id in Targets)
        {
            o.Targets.Add(new TargetDefinition { Id = id, Labels = { ["namespace"] = "shop", ["name"] = id[5..] } });
        }

        o.Groups.Add(new RollbackGroupDefinition { Id = GroupId, Targets = [.. Targets[..3]], Order = order });
        o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "errors{name=\"{{name}}\"}" });
        o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 2", For = Minute, Severity = RollbackSeverity.Critical });
        o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = stepType, Name = "step", Timeout = TimeSpan.FromHours(1) }] };
    }

    /// <summary>Each target's error rate is 5 from the given minute on (none: never), else 0.5.</summary>
    internal static SeriesSource From(params (string Target, int Minute)[] spikes) => new("series", (_, target, at) =>
    {
        var minute = (at - T0).TotalMinutes;
        return Sample.Of(spikes.Any(s => s.Target == target && minute >= s.Minute) ? 5 : 0.5);
    });

    private static BacktestRequest Range(int minutes) => new() { From = T0, To = T0 + (minutes * Minute), Step = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task RunAsync_TwoMembersFireOneMinuteApart_OneGroupRollbackTheSecondJoinsIt()
    {
        await using var host = BacktestHost.Create(o => Configure(o, "recording"), From(("shop/api", 10), ("shop/web", 11)));

        var result = await host.Backtester().RunAsync(Range(20) with { AssumedRollbackDuration = 5 * Minute });

        Assert.Equal([("shop/api", T0 + (11 * Minute)), ("shop/web", T0 + (12 * Minute))], result.Fires.Select(f => (f.Target, f.At)));
        var (first, second) = (result.Fires[0], result.Fires[1]);
        Assert.Equal(DispatchStatus.Started, first.Decision);
        Assert.Equal(GroupId, first.Group);
        Assert.Equal("backtest-1", first.RollbackId);
        Assert.Contains("group shop-stack", first.DecisionReason, StringComparison.Ordinal);
        Assert.Contains("shop/web, shop/api, shop/db", first.DecisionReason, StringComparison.Ordinal); // the members in rollback order
        Assert.Equal(DispatchStatus.Joined, second.Decision);
        Assert.Equal(GroupId, second.Group);
        Assert.Equal("backtest-1", second.RollbackId);
        Assert.Contains("group shop-stack", second.DecisionReason, StringComparison.Ordinal);
        Assert.Contains("shop/web is a member", second.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecondMemberFiresWithinTheGroupsCooldown_RefusedNamingTheGroupAndItsRun()
    {
        await using var host = BacktestHost.Create(o => Configure(o, "recording"), From(("shop/api", 10), ("shop/web", 11)));

        var result = await host.Backtester().RunAsync(Range(20));

        Assert.Equal(DispatchStatus.Started, result.Fires[0].Decision);
        var second = result.Fires[1];
        Assert.Equal(DispatchStatus.Refused, second.Decision);
        Assert.Equal(GroupId, second.Group);
        Assert.Equal("backtest-1", second.RollbackId);
        Assert.Contains("group shop-stack (shop/web is a member) was rolled back 1 min 0 s ago by run backtest-1", second.DecisionReason, StringComparison.Ordinal);
        Assert.Contains("cooldown", second.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TwoMembersFireOnTheSameTickWithoutAnAssumedDuration_TheSecondJoinsAsLive()
    {
        await using var host = BacktestHost.Create(o => Configure(o, "recording"), From(("shop/api", 10), ("shop/web", 10)));

        var result = await host.Backtester().RunAsync(Range(20));

        Assert.Equal(2, result.Fires.Count);
        Assert.Equal(result.Fires[0].At, result.Fires[1].At);
        Assert.Equal([DispatchStatus.Started, DispatchStatus.Joined], result.Fires.Select(f => f.Decision));
        Assert.All(result.Fires, f => Assert.Equal("backtest-1", f.RollbackId));
    }

    [Fact]
    public async Task RunAsync_MemberConfiguredWithoutAutomaticRollback_SiblingsFireOnlyAlertsNamingIt()
    {
        await using var host = BacktestHost.Create(o => { Configure(o, "recording"); o.Targets[0].AutoRollback = false; }, From(("shop/api", 10)));

        var fire = Assert.Single((await host.Backtester().RunAsync(Range(20))).Fires);

        Assert.Equal("shop/api", fire.Target);
        Assert.Equal(DispatchStatus.AlertRaised, fire.Decision);
        Assert.Equal(GroupId, fire.Group);
        Assert.Null(fire.RollbackId);
        Assert.Contains("Automatic rollback is disabled for shop/db (kill switch), a member of group shop-stack", fire.DecisionReason, StringComparison.Ordinal);
        Assert.Contains("off in configuration: AutoRollback is false", fire.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MemberPastItsPointOfNoReturn_SiblingsFireOnlyAlertsNamingIt()
    {
        await using var host = BacktestHost.Create(o => { Configure(o, "recording"); o.Workflow.PointOfNoReturnTargets.Add("shop/db"); }, From(("shop/web", 10)));

        var fire = Assert.Single((await host.Backtester().RunAsync(Range(20))).Fires);

        Assert.Equal(DispatchStatus.AlertRaised, fire.Decision);
        Assert.Contains("shop/db is past its point of no return and rolls back with group shop-stack", fire.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TargetInNoGroup_DecidedAsBefore()
    {
        await using var host = BacktestHost.Create(o => Configure(o, "recording"), From(("shop/cart", 10), ("shop/api", 10)));

        var result = await host.Backtester().RunAsync(Range(20));

        var cart = result.Fires.Single(f => f.Target == "shop/cart");
        Assert.Equal(DispatchStatus.Started, cart.Decision);
        Assert.Null(cart.Group);
        Assert.Matches("^Rollback backtest-[12] of shop/cart would start \\(P0\\)\\.$", cart.DecisionReason);
        Assert.Equal(DispatchStatus.Started, result.Fires.Single(f => f.Target == "shop/api").Decision); // the group's limits are its own
    }
}
