using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

public class MonitorExplainerTests
{
    private static void Config(RollbackKitOptions o)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(30);
        o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["name"] = "checkout" } });
        o.Targets.Add(new TargetDefinition { Id = "shop/cart", Labels = { ["name"] = "cart" } });
        o.Queries.Add(new() { Name = "error_rate", Expression = "errors{name=\"{{name}}\"}" });
        o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 2", For = TimeSpan.FromMinutes(2) });
        o.Triggers.Add(new TriggerDefinition { Name = "off", Condition = "error_rate > 100", Enabled = false });
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
    }

    [Fact]
    public async Task ExplainLastTick_BreachingShorterThanFor_SaysWhyItHasNotFiredYet()
    {
        await using var host = RollbackKitTestHost.Create(Config);
        var explainer = host.Services.GetRequiredService<IMonitorExplainer>();
        Assert.Null(explainer.ExplainLastTick());
        host.Source.Set("error_rate", 5.0, "shop/checkout").Set("error_rate", 0.5, "shop/cart");

        await host.RunAsync(TimeSpan.FromMinutes(1));

        var all = explainer.ExplainLastTick()!;
        Assert.Equal(host.Time.GetUtcNow(), all.Time);
        Assert.Equal(4, all.Triggers.Count);
        var checkout = explainer.ExplainLastTick("shop/checkout")!.Triggers;
        Assert.Equal(["error-rate", "off"], checkout.Select(e => e.Trigger));
        var breaching = checkout[0];
        Assert.Equal(TriggerOutcome.Fail, breaching.Outcome);
        Assert.False(breaching.Fired);
        Assert.Equal(host.Source.Start, breaching.State.BreachingSince);
        Assert.Equal(3, breaching.State.ConsecutiveFailures);
        Assert.Equal([new MeasuredValue("error_rate", 5.0)], breaching.Values);
        Assert.Equal(5.0, breaching.Actual);
        Assert.Equal(2.0, breaching.Threshold);
        Assert.Contains("1 min 0 s of For 2 min 0 s: fires in 1 min 0 s if it keeps failing", breaching.Why, StringComparison.Ordinal);
        Assert.Equal(TriggerOutcome.Disabled, checkout[1].Outcome);
        Assert.Equal(TriggerOutcome.Pass, explainer.ExplainLastTick("shop/cart")!.Triggers[0].Outcome);
        Assert.Empty(explainer.ExplainLastTick("shop/unknown")!.Triggers);
    }

    [Fact]
    public async Task ExplainLastTick_ForElapsed_SaysItFired()
    {
        await using var host = RollbackKitTestHost.Create(Config);
        var explainer = host.Services.GetRequiredService<IMonitorExplainer>();
        host.Source.Set("error_rate", 5.0);

        await host.RunAsync(TimeSpan.FromMinutes(2));

        var fired = explainer.ExplainLastTick("shop/checkout")!.Triggers[0];
        Assert.True(fired.Fired);
        Assert.True(fired.State.Latched);
        Assert.Contains("fired, breaching since", fired.Why, StringComparison.Ordinal);
        Assert.Equal(2, host.Dispatcher.Requests.Count);
    }
}
