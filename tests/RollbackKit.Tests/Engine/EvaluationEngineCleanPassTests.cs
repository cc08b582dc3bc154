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
