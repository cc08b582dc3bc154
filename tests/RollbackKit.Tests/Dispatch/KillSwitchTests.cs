using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;

namespace RollbackKit.Tests.Dispatch;

public class KillSwitchTests
{
    private static KillSwitch Create(Action<DispatchOptions>? configure = null)
    {
        var options = new DispatchOptions();
        options.TargetAutoRollback["manual-only"] = false;
        options.TargetAutoRollback["auto"] = true;
        configure?.Invoke(options);
        return new KillSwitch(Options.Create(options), NullLogger<KillSwitch>.Instance);
    }

    [Fact]
    public void IsEnabled_FollowsTargetConfiguration_UnknownTargetsEnabled()
    {
        var killSwitch = Create();

        Assert.True(killSwitch.GlobalEnabled);
        Assert.True(killSwitch.IsEnabled("auto"));
        Assert.False(killSwitch.IsEnabled("manual-only"));
        Assert.True(killSwitch.IsEnabled("not-configured"));
    }

    [Fact]
    public void SetGlobal_Off_DisablesEveryTargetEvenWithOverride()
    {
        var killSwitch = Create();
        killSwitch.SetTarget("manual-only", true);

        killSwitch.SetGlobal(false);

        Assert.False(killSwitch.GlobalEnabled);
        Assert.False(killSwitch.IsEnabled("manual-only"));
        Assert.False(killSwitch.IsEnabled("auto"));
        killSwitch.SetGlobal(true);
        Assert.True(killSwitch.IsEnabled("manual-only"));
    }

    [Fact]
    public void SetTarget_OverrideThenNull_ReturnsToConfiguration()
    {
        var killSwitch = Create();

        killSwitch.SetTarget("auto", false);
        Assert.False(killSwitch.IsEnabled("auto"));

        killSwitch.SetTarget("auto", null);
        Assert.True(killSwitch.IsEnabled("auto"));
    }

    [Fact]
    public void GlobalOffInConfiguration_StartsDisabled()
    {
        var killSwitch = Create(o => o.AutoRollbackEnabled = false);

        Assert.False(killSwitch.GlobalEnabled);
        Assert.False(killSwitch.IsEnabled("auto"));
    }

    [Fact]
    public void PointOfNoReturn_ConfiguredThenClearedAtRunTime()
    {
        var killSwitch = Create(o => o.PointOfNoReturnTargets.Add("migrated"));

        Assert.True(killSwitch.IsPastPointOfNoReturn("migrated"));
        Assert.False(killSwitch.IsPastPointOfNoReturn("auto"));

        killSwitch.SetPointOfNoReturn("migrated", false);
        killSwitch.SetPointOfNoReturn("auto", true);

        Assert.False(killSwitch.IsPastPointOfNoReturn("migrated"));
        Assert.True(killSwitch.IsPastPointOfNoReturn("auto"));
    }
}
