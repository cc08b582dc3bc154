using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Dispatch;

public class AdmissionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static AdmissionPolicy Policy(Action<DispatchOptions>? configure = null)
    {
        var options = new DispatchOptions();
        configure?.Invoke(options);
        return new AdmissionPolicy(Options.Create(options));
    }

    private static RollbackRequest Request(
        RollbackTriggerType type = RollbackTriggerType.MetricTrigger,
        RollbackSeverity severity = RollbackSeverity.Critical,
        bool alertOnly = false) => new()
        {
            Target = new RollbackTarget("app"),
            TriggerType = type,
            Severity = severity,
            Reason = "error rate high",
            AlertOnly = alertOnly,
        };

    [Fact]
    public void Screen_AutomaticWithEverythingOn_Admits()
    {
        var decision = Policy().Screen(Request(), autoRollbackEnabled: true, pastPointOfNoReturn: false);

        Assert.Equal(AdmissionVerdict.Admit, decision.Verdict);
        Assert.Null(decision.Reason);
    }

    [Fact]
    public void Screen_AlertOnlyRequest_AlertsEvenWhenManual()
    {
        var decision = Policy().Screen(Request(RollbackTriggerType.Manual, alertOnly: true), true, false);

        Assert.Equal(AdmissionVerdict.Alert, decision.Verdict);
        Assert.Equal("Alert: error rate high", decision.Reason);
    }

    [Fact]
    public void Screen_ManualRequest_IgnoresKillSwitchPointOfNoReturnAndMediumPolicy()
    {
        var decision = Policy().Screen(Request(RollbackTriggerType.Manual, RollbackSeverity.Medium), autoRollbackEnabled: false, pastPointOfNoReturn: true);

        Assert.Equal(AdmissionVerdict.Admit, decision.Verdict);
    }

    [Fact]
    public void Screen_KillSwitchOff_AlertsNamingTheKillSwitch()
    {
        var decision = Policy().Screen(Request(), autoRollbackEnabled: false, pastPointOfNoReturn: true);

        Assert.Equal(AdmissionVerdict.Alert, decision.Verdict);
        Assert.Contains("kill switch", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Screen_PastPointOfNoReturn_AsksForForwardFix()
    {
        var decision = Policy().Screen(Request(), autoRollbackEnabled: true, pastPointOfNoReturn: true);

        Assert.Equal(AdmissionVerdict.Alert, decision.Verdict);
        Assert.Contains("point of no return", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MediumSeverityPolicy.AlertOnly, (int)AdmissionVerdict.Alert)]
    [InlineData(MediumSeverityPolicy.RequireApproval, (int)AdmissionVerdict.Admit)]
    public void Screen_MediumSeverity_FollowsPolicy(MediumSeverityPolicy policy, int expected)
    {
        var decision = Policy(o => o.MediumSeverity = policy).Screen(Request(severity: RollbackSeverity.Medium), true, false);

        Assert.Equal((AdmissionVerdict)expected, decision.Verdict);
    }

    [Fact]
    public void CheckLimits_WithinCooldown_RefusesWithTimeLeft()
    {
        var decision = Policy(o => o.Cooldown = TimeSpan.FromMinutes(10)).CheckLimits(Request(), Finished(Now - TimeSpan.FromMinutes(4)), [], Now);

        Assert.Equal(AdmissionVerdict.Refuse, decision.Verdict);
        Assert.Contains("cooldown of 10 min 0 s has 6 min 0 s left", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("by run rb-1", decision.Reason, StringComparison.Ordinal);
        Assert.Equal("rb-1", decision.RollbackId);
    }

    [Fact]
    public void CheckLimits_CooldownOver_Admits()
    {
        var decision = Policy(o => o.Cooldown = TimeSpan.FromMinutes(10)).CheckLimits(Request(), Finished(Now - TimeSpan.FromMinutes(10)), [], Now);

        Assert.Equal(AdmissionVerdict.Admit, decision.Verdict);
    }

    [Fact]
    public void CheckLimits_MaximumAttemptsWithinWindow_Refuses()
    {
        var policy = Policy(o =>
        {
            o.MaxAttemptsPerTarget = 2;
            o.AttemptWindow = TimeSpan.FromHours(1);
        });

        var decision = policy.CheckLimits(Request(), null, [Now - TimeSpan.FromMinutes(50), Now - TimeSpan.FromMinutes(5)], Now);

        Assert.Equal(AdmissionVerdict.Refuse, decision.Verdict);
        Assert.Contains("already had 2 automatic rollbacks", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckLimits_AttemptsOlderThanWindow_DoNotCount()
    {
        var policy = Policy(o =>
        {
            o.MaxAttemptsPerTarget = 2;
            o.AttemptWindow = TimeSpan.FromHours(1);
        });

        var decision = policy.CheckLimits(Request(), null, [Now - TimeSpan.FromHours(1), Now - TimeSpan.FromMinutes(5)], Now);

        Assert.Equal(AdmissionVerdict.Admit, decision.Verdict);
        Assert.False(policy.StillCounts(Now - TimeSpan.FromHours(1), Now));
        Assert.True(policy.StillCounts(Now - TimeSpan.FromMinutes(59), Now));
    }

    [Fact]
    public void CheckLimits_Manual_NotLimitedByAttempts()
    {
        var policy = Policy(o => o.MaxAttemptsPerTarget = 1);

        var decision = policy.CheckLimits(Request(RollbackTriggerType.Manual), null, [Now, Now], Now);

        Assert.Equal(AdmissionVerdict.Admit, decision.Verdict);
    }

    [Fact]
    public void CheckLimits_ManualWithinCooldownOfAnyRollback_RefusedNamingRunUnlessForced()
    {
        var policy = Policy(o => o.Cooldown = TimeSpan.FromMinutes(10));
        var manual = Request(RollbackTriggerType.Manual);

        var refused = policy.CheckLimits(manual, Finished(Now - TimeSpan.FromSeconds(40)), [], Now);
        var failed = policy.CheckLimits(manual, Finished(Now - TimeSpan.FromSeconds(40), RollbackState.RollbackFailed), [], Now);
        var forced = policy.CheckLimits(new RollbackRequest { Target = manual.Target, TriggerType = RollbackTriggerType.Manual, Reason = "r", Force = true }, Finished(Now - TimeSpan.FromSeconds(40)), [], Now);

        Assert.Equal(AdmissionVerdict.Refuse, refused.Verdict);
        Assert.Equal("app was rolled back 40 s ago by run rb-1; pass Force to run again.", refused.Reason);
        Assert.Equal("rb-1", refused.RollbackId);
        Assert.Equal("app had a failed rollback 40 s ago (run rb-1); pass Force to run again.", failed.Reason);
        Assert.Equal(AdmissionVerdict.Admit, forced.Verdict);
    }

    [Fact]
    public void CheckLimits_AutomaticWithForce_StillRefusedWithinCooldown()
    {
        var policy = Policy(o => o.Cooldown = TimeSpan.FromMinutes(10));
        var request = new RollbackRequest { Target = Request().Target, TriggerType = RollbackTriggerType.Alert, Reason = "r", Force = true };

        Assert.Equal(AdmissionVerdict.Refuse, policy.CheckLimits(request, Finished(Now - TimeSpan.FromMinutes(1)), [], Now).Verdict);
    }

    [Theory]
    [InlineData(40, "40 s")]
    [InlineData(180, "3 min 0 s")]
    [InlineData(7500, "2 h 5 min")]
    [InlineData(93600, "1 d 2 h")]
    public void Describe_Durations_ReadableForPeople(int seconds, string expected) =>
        Assert.Equal(expected, AdmissionPolicy.Describe(TimeSpan.FromSeconds(seconds)));

    private static FinishedRollback Finished(DateTimeOffset at, RollbackState state = RollbackState.RolledBack) => new("rb-1", state, at);
}
