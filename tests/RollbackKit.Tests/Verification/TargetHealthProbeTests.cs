using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;
using RollbackKit.Triggers;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Verification;

public class TargetHealthProbeTests
{
    private static readonly RollbackTarget Checkout = new("shop/checkout", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "checkout" });

    [Fact]
    public async Task Probe_ConditionFails_UnhealthyNamingTriggerAndValues()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var health = await Probe(host);

        Assert.False(health.Healthy);
        Assert.Equal("error-rate failing (5 vs 0.75)", health.Summary);
        Assert.Equal(new MeasuredValue[] { new("canary_error_rate", 5.0), new("baseline_error_rate", 0.5) }, health.Values);
    }

    [Fact]
    public async Task Probe_ConditionPasses_HealthyWithValues()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 0.4);

        var health = await Probe(host);

        Assert.True(health.Healthy);
        Assert.Equal("all triggers passing", health.Summary);
        Assert.Equal(new MeasuredValue[] { new("canary_error_rate", 0.4), new("baseline_error_rate", 0.5) }, health.Values);
    }

    [Theory]
    [InlineData(NoDataPolicy.Inconclusive, true, "all triggers passing")]
    [InlineData(NoDataPolicy.Pass, true, "all triggers passing")]
    [InlineData(NoDataPolicy.Fail, false, "error-rate failing (NaN vs 0.75)")]
    public async Task Probe_NoData_FollowsTheTriggersNoDataPolicy(NoDataPolicy policy, bool healthy, string summary)
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers[0].NoData = policy;
        });
        host.Source.Set("baseline_error_rate", 0.5);

        var health = await Probe(host);

        Assert.Equal(healthy, health.Healthy);
        Assert.Equal(summary, health.Summary);
        Assert.True(double.IsNaN(health.Values[0].Value));
    }

    [Fact]
    public async Task Probe_FailingForLessThanFor_UnhealthyWithoutTouchingTheMonitorsTimers()
    {
        // A probe answers for one measurement: failing is unhealthy even though the trigger's For has not elapsed,
        // and probing does not start or reset the monitor's own timing of the trigger.
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var ticks = new List<MonitorTickResult>();
        for (var i = 0; i <= 10; i++)
        {
            Assert.False((await Probe(host)).Healthy);
            ticks.Add(await host.Monitor.TickAsync());
            host.Time.Advance(TimeSpan.FromSeconds(30));
        }

        // Failing from 0:00, For = 5 min: the monitor fires at 5:00 (the 11th tick), exactly as without probes.
        Assert.Equal(Enumerable.Repeat(0, 10).Append(1), ticks.Select(t => t.Fired));
    }

    [Fact]
    public async Task Probe_DisabledDryRunAndAlertOnlyTriggers_NeverMakeATargetUnhealthy()
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers[0].DryRun = true;
            o.Triggers.Add(new TriggerDefinition { Name = "alert", Condition = "canary_error_rate > 1", Action = TriggerAction.AlertOnly });
            o.Triggers.Add(new TriggerDefinition { Name = "off", Condition = "canary_error_rate > 1", Enabled = false });
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        var health = await Probe(host);

        Assert.True(health.Healthy);
        Assert.Equal("all triggers passing", health.Summary);
    }

    [Fact]
    public async Task Probe_CapturedBaseline_IsUsedForKnownTargetsOnly()
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Baselines.Add(new BaselineDefinition { Name = "baseline.error_rate", Query = "canary_error_rate", Window = TimeSpan.FromMinutes(1) });
            o.Triggers[0].Condition = "canary_error_rate > baseline.error_rate * 2";
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 1.0);
        host.Monitor.StartBaselineCapture("shop/checkout");
        await host.RunAsync(TimeSpan.FromMinutes(1));
        host.Source.Set("canary_error_rate", 3.0);

        var known = await Probe(host);
        var unknown = await Probe(host, new RollbackTarget("shop/other", new Dictionary<string, string> { ["name"] = "other" }));

        Assert.False(known.Healthy);
        Assert.Equal("error-rate failing (3 vs 2)", known.Summary);
        Assert.Contains(new MeasuredValue("baseline.error_rate", 1.0), known.Values);
        Assert.True(unknown.Healthy);
        Assert.True(double.IsNaN(unknown.Values.Single(v => v.Name == "baseline.error_rate").Value));
    }

    [Fact]
    public async Task Probe_NoTriggers_Healthy()
    {
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers.Clear();
        });

        var health = await Probe(host);

        Assert.True(health.Healthy);
        Assert.Equal("no triggers configured", health.Summary);
        Assert.Empty(health.Values);
    }

    [Fact]
    public async Task Probe_IsResolvedWithoutTheMonitor()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);

        var probe = host.Services.GetRequiredService<ITargetHealthProbe>();

        Assert.IsType<TargetHealthProbe>(probe);
        Assert.IsNotAssignableFrom<IRollbackMonitor>(probe);
    }

    internal static async Task<TargetHealth> Probe(RollbackKitTestHost host, RollbackTarget? target = null) =>
        await host.Services.GetRequiredService<ITargetHealthProbe>().ProbeAsync(target ?? Checkout, CancellationToken.None);
}

/// <summary>Counts engines built process-wide, so it runs alone (no other test builds an engine meanwhile).</summary>
[CollectionDefinition(nameof(EngineCountGroup), DisableParallelization = true)]
public sealed class EngineCountGroup;

[Collection(nameof(EngineCountGroup))]
public class TargetHealthProbeEngineTests
{
    [Fact]
    public async Task Probe_ManyTimes_BuildsNoEngineBeyondTheMonitorsOne()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);
        var before = EvaluationEngine.CreatedCount;

        for (var i = 0; i < 5; i++)
        {
            Assert.False((await TargetHealthProbeTests.Probe(host)).Healthy);
            await host.Monitor.TickAsync();
        }

        // The one engine is the monitor's (built on first use, by the probe here); probes measure with it.
        Assert.Equal(before + 1, EvaluationEngine.CreatedCount);
        Assert.Same(host.Services.GetRequiredService<CompiledConfiguration>().Engine, host.Services.GetRequiredService<CompiledConfiguration>().Engine);
    }
}
