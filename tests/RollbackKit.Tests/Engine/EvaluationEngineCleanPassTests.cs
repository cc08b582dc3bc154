using System.Runtime.CompilerServices;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

/// <summary>
/// A passing measurement on a clean timing state (nothing failing, no errors, not latched) only reads the state; the
/// verdicts must be those of a full state update, and the memory a tick writes stays narrow.
/// </summary>
public class EvaluationEngineCleanPassTests
{
    [Fact]
    public void TriggerVerdict_Layout_Is40Bytes() => Assert.Equal(40, Unsafe.SizeOf<TriggerVerdict>());

    [Fact]
    public void TimingState_Layout_Is16Bytes() => Assert.Equal(16, Unsafe.SizeOf<RollbackKit.Engine.Internal.TimingState>());

    [Fact]
    public void Evaluate_FailuresErrorsAndNoData_CountRunsAndKeepTheLatch()
    {
        // Consecutive failures and consecutive errors share one field of the timing state, the latch sits in the sign
        // bit of the failing-since time: every combination must read back as before.
        var h = new EngineHarness(["a"], [new TriggerDefinition { Name = "t", Condition = "a > 1", ConsecutiveFailureLimit = 2 }]);
        var steps = new (Action Set, VerdictOutcome Outcome, int Consecutive, int Errors, bool Fired, bool Latched)[]
        {
            (() => h.Set("a", 2), VerdictOutcome.Fail, 1, 0, false, false),
            (() => h.Set("a", 2), VerdictOutcome.Fail, 2, 0, true, true),
            (() => h.SetNoData("a"), VerdictOutcome.Inconclusive, 2, 0, false, true),
            (() => h.SetError("a"), VerdictOutcome.Error, 0, 1, false, true),
            (() => h.SetError("a"), VerdictOutcome.Error, 0, 2, false, true),
            (() => h.SetNoData("a"), VerdictOutcome.Inconclusive, 0, 0, false, true),
            (() => h.SetError("a"), VerdictOutcome.Error, 0, 1, false, true),
            (() => h.Set("a", 2), VerdictOutcome.Fail, 1, 0, false, true),
            (() => h.Set("a", 0), VerdictOutcome.Pass, 0, 0, false, false),
            (() => h.Set("a", 2), VerdictOutcome.Fail, 1, 0, false, false),
            (() => h.Set("a", 2), VerdictOutcome.Fail, 2, 0, true, true),
        };
        var failingSince = 0L;
        foreach (var (set, outcome, consecutive, errors, fired, latched) in steps)
        {
            set();
            var verdict = h.Tick();
            failingSince = outcome switch
            {
                VerdictOutcome.Fail when failingSince == 0 => h.Now.UtcTicks,
                VerdictOutcome.Pass or VerdictOutcome.Error => 0,
                _ => failingSince,
            };
            Assert.Equal(outcome, verdict.Outcome);
            Assert.Equal(consecutive, verdict.ConsecutiveFailures);
            Assert.Equal(errors, verdict.ConsecutiveErrors);
            Assert.Equal(fired, verdict.Fired);
            Assert.Equal(latched, h.Engine.IsLatched(0, 0));
            Assert.Equal(failingSince, verdict.FailingSinceUtcTicks);
        }
    }

    [Fact]
    public void MetricSampleStatus_Column_IsOneBytePerTarget() => Assert.Equal(1, Unsafe.SizeOf<MetricSampleStatus>());

    [Fact]
    public void Evaluate_PassesAfterFailuresAndErrors_KeepTheTotalAndClearTheRest()
    {
        var h = new EngineHarness(["a"], [new TriggerDefinition { Name = "limit", Condition = "a > 1", FailureLimit = 3 }]);

        var first = h.Set("a", 0).Tick();
        Assert.Equal(new TriggerVerdict { Outcome = VerdictOutcome.Pass, Actual = 0, Threshold = 1 }, first);

        var failed = h.Set("a", 2).Tick();
        Assert.Equal(VerdictOutcome.Fail, failed.Outcome);
        Assert.Equal(1, failed.TotalFailures);
        Assert.Equal(1, failed.ConsecutiveFailures);
        Assert.Equal(h.Now.UtcTicks, failed.FailingSinceUtcTicks);

        // The first pass clears the failing episode; the next ones find a clean state and must keep the total.
        for (var i = 0; i < 3; i++)
        {
            var pass = h.Set("a", 0.5).Tick();
            Assert.Equal(new TriggerVerdict { Outcome = VerdictOutcome.Pass, Actual = 0.5, Threshold = 1, TotalFailures = 1 }, pass);
        }

        var error = h.SetError("a").Tick();
        Assert.Equal(VerdictOutcome.Error, error.Outcome);
        Assert.Equal(1, error.ConsecutiveErrors);
        Assert.Equal(1, error.TotalFailures);

        var afterError = h.Set("a", 0).Tick();
        Assert.Equal(new TriggerVerdict { Outcome = VerdictOutcome.Pass, Actual = 0, Threshold = 1, TotalFailures = 1 }, afterError);

        // Two more failures reach the limit of 3: the total was kept across the clean passes.
        Assert.False(h.Set("a", 2).Tick().Fired);
        var fired = h.Tick();
        Assert.True(fired.Fired);
        Assert.Equal(3, fired.TotalFailures);
        Assert.True(h.Engine.IsLatched(0, 0));

        // A pass re-arms the latch (a full update), then the state is clean again.
        Assert.Equal(3, h.Set("a", 0).Tick().TotalFailures);
        Assert.False(h.Engine.IsLatched(0, 0));
        Assert.Equal(new TriggerVerdict { Outcome = VerdictOutcome.Pass, Actual = 0, Threshold = 1, TotalFailures = 3 }, h.Tick());
    }
}
