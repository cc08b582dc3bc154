using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

public class BaselineCaptureTests
{
    private static EngineHarness Harness(int targets = 1) => new(
        ["error_rate"],
        [new TriggerDefinition { Name = "regression", Condition = "error_rate > baseline.error_rate * 2", For = TimeSpan.FromMinutes(5) }],
        targets,
        [new BaselineDefinition { Name = "baseline.error_rate", Query = "error_rate", Window = TimeSpan.FromMinutes(10) }]);

    [Fact]
    public void Evaluate_BeforeCapture_BaselineIsNoData()
    {
        var h = Harness();
        h.Set("error_rate", 1);
        Assert.Equal(VerdictOutcome.Inconclusive, h.Tick().Outcome);
    }

    [Fact]
    public void StartBaselineCapture_AveragesOverWindowIgnoringNoDataThenCompares()
    {
        var h = Harness();
        h.Engine.StartBaselineCapture(0, h.Now);
        var index = h.Engine.GetValueIndex("baseline.error_rate");
        var tick = 0;
        double sum = 0;
        var samples = 0;
        for (var elapsed = EngineHarness.Interval; elapsed < TimeSpan.FromMinutes(10); elapsed += EngineHarness.Interval, tick++)
        {
            // 0.01 and 0.03 alternate; every fifth tick has no data and one is an error: all ignored.
            if (tick % 5 == 4)
            {
                h.SetNoData("error_rate");
            }
            else if (tick == 7)
            {
                h.SetError("error_rate");
            }
            else
            {
                var value = tick % 2 == 0 ? 0.01 : 0.03;
                h.Set("error_rate", value);
                sum += value;
                samples++;
            }

            var verdict = h.Tick();
            Assert.NotEqual(VerdictOutcome.Pass, verdict.Outcome);
            Assert.NotEqual(VerdictOutcome.Fail, verdict.Outcome);
            Assert.True(double.IsNaN(h.Engine.GetValues(index)[0]));
            Assert.True(h.Engine.IsCapturing(0, "baseline.error_rate"));
        }

        // Window elapsed: the baseline is the average of the recorded values.
        h.Set("error_rate", 0.03);
        var first = h.Tick();
        Assert.False(h.Engine.IsCapturing(0, "baseline.error_rate"));
        var baseline = h.Engine.GetValues(index)[0];
        Assert.Equal(59, tick);
        Assert.Equal(47, samples);
        Assert.Equal(sum / samples, baseline, 12);
        Assert.Equal(VerdictOutcome.Pass, first.Outcome);
        Assert.Equal(baseline * 2, first.Threshold, 12);

        // More than twice the baseline for 5 minutes fires.
        h.Set("error_rate", 0.05);
        Assert.Equal(TimeSpan.FromMinutes(5), h.TicksUntilFired(TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void StartBaselineCapture_WindowWithoutData_LeavesNoData()
    {
        var h = Harness();
        h.Engine.StartBaselineCapture(0, h.Now);
        h.SetNoData("error_rate");
        h.Tick(TimeSpan.FromMinutes(10));
        Assert.False(h.Engine.IsCapturing(0, "baseline.error_rate"));
        h.Set("error_rate", 5);
        Assert.Equal(VerdictOutcome.Inconclusive, h.Tick().Outcome);
    }

    [Fact]
    public void StartBaselineCapture_ClearsOldBaselineUntilComplete()
    {
        var h = Harness();
        h.Engine.SetBaseline(0, "baseline.error_rate", 0.01);
        h.Set("error_rate", 0.05);
        Assert.Equal(VerdictOutcome.Fail, h.Tick().Outcome);
        h.Engine.StartBaselineCapture(0, h.Now);
        Assert.Equal(VerdictOutcome.Inconclusive, h.Tick().Outcome);
    }

    [Fact]
    public void SetBaseline_SetsValueAndCancelsCapture()
    {
        var h = Harness(targets: 2);
        h.Engine.StartBaselineCapture(0, h.Now);
        h.Engine.SetBaseline(0, "baseline.error_rate", 0.02);
        Assert.False(h.Engine.IsCapturing(0, "baseline.error_rate"));
        h.Set("error_rate", 0.03, 0).Set("error_rate", 0.05, 1);
        var verdicts = h.Evaluate();
        Assert.Equal(VerdictOutcome.Pass, verdicts[0].Outcome);
        Assert.Equal(0.04, verdicts[0].Threshold, 12);
        Assert.Equal(VerdictOutcome.Inconclusive, verdicts[1].Outcome);
        Assert.Throws<ArgumentException>(() => h.Engine.SetBaseline(0, "baseline.nope", 1));
    }

    [Fact]
    public void StartBaselineCapture_TargetsAreIndependent()
    {
        var h = Harness(targets: 2);
        h.Engine.StartBaselineCapture(1, h.Now);
        h.Set("error_rate", 0.5, 0).Set("error_rate", 0.02, 1);
        for (var i = 0; i < 60; i++)
        {
            h.Tick();
        }

        var values = h.Engine.GetValues(h.Engine.GetValueIndex("baseline.error_rate"));
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(0.02, values[1], 12);
    }
}
