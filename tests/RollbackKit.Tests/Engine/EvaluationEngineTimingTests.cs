using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

public class EvaluationEngineTimingTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    private static EngineHarness Harness(TriggerDefinition trigger) =>
        new(["error_rate", "latency"], [trigger]);

    private static TriggerDefinition Trigger(
        TimeSpan? forDuration = null,
        NoDataPolicy noData = NoDataPolicy.Inconclusive,
        string condition = "error_rate > 5%") => new()
        {
            Name = "errors",
            Condition = condition,
            For = forDuration ?? FiveMinutes,
            NoData = noData,
        };

    private static void Run(EngineHarness h, TimeSpan duration, Action<TriggerVerdict>? each = null)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += EngineHarness.Interval)
        {
            var verdict = h.Tick();
            each?.Invoke(verdict);
        }
    }

    [Fact]
    public void Evaluate_ConditionHoldsExactlyFor_FiresOnThatTick()
    {
        var h = Harness(Trigger());
        h.Set("error_rate", 0.10);
        var first = h.Tick();
        Assert.Equal(VerdictOutcome.Fail, first.Outcome);
        Assert.False(first.Fired);
        Assert.Equal(h.Now.UtcTicks, first.FailingSinceUtcTicks);
        var start = h.Now;

        // 4:50 after the first failing tick: not yet.
        Run(h, FiveMinutes - EngineHarness.Interval, v => Assert.False(v.Fired));
        Assert.Equal(start + FiveMinutes - EngineHarness.Interval, h.Now);

        // The next tick is exactly 5:00 after the first failing one.
        var fired = h.Tick();
        Assert.True(fired.Fired);
        Assert.Equal(start.UtcTicks, fired.FailingSinceUtcTicks);
        Assert.Equal(31, fired.ConsecutiveFailures);
        Assert.Equal(0.10, fired.Actual);
        Assert.Equal(0.05, fired.Threshold);

        // Exactly once per episode.
        Run(h, TimeSpan.FromMinutes(3), v => Assert.False(v.Fired));
    }

    [Fact]
    public void Evaluate_ForNotMet_NeverFires()
    {
        var h = Harness(Trigger());
        h.Set("error_rate", 0.10);
        Run(h, FiveMinutes - EngineHarness.Interval, v => Assert.False(v.Fired));
        h.Set("error_rate", 0.01);
        var pass = h.Tick();
        Assert.Equal(VerdictOutcome.Pass, pass.Outcome);
        Assert.Equal(0, pass.FailingSinceUtcTicks);
        Assert.Equal(0, pass.ConsecutiveFailures);
        Run(h, TimeSpan.FromMinutes(10), v => Assert.False(v.Fired));
    }

    [Fact]
    public void Evaluate_Flapping_DoesNotFireUntilContinuousFor()
    {
        var h = Harness(Trigger());
        for (var round = 0; round < 5; round++)
        {
            h.Set("error_rate", 0.10);
            Run(h, TimeSpan.FromMinutes(3), v => Assert.False(v.Fired));
            h.Set("error_rate", 0.0);
            Assert.Equal(VerdictOutcome.Pass, h.Tick().Outcome);
        }

        h.Set("error_rate", 0.10);
        Assert.Equal(FiveMinutes, h.TicksUntilFired(TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Evaluate_ForZero_FiresOnFirstFailingTickAndReArmsAfterPass()
    {
        var h = Harness(Trigger(TimeSpan.Zero));
        h.Set("error_rate", 0.01);
        Assert.False(h.Tick().Fired);
        h.Set("error_rate", 0.10);
        Assert.True(h.Tick().Fired);
        Assert.False(h.Tick().Fired);
        Assert.False(h.Tick().Fired);

        // Inconclusive does not re-arm.
        h.SetNoData("error_rate");
        Assert.Equal(VerdictOutcome.Inconclusive, h.Tick().Outcome);
        h.Set("error_rate", 0.10);
        Assert.False(h.Tick().Fired);

        // A pass does.
        h.Set("error_rate", 0.0);
        Assert.False(h.Tick().Fired);
        h.Set("error_rate", 0.10);
        Assert.True(h.Tick().Fired);
    }

    [Fact]
    public void Evaluate_ReArmAfterPass_FiresAgainAfterAnotherFullFor()
    {
        var h = Harness(Trigger());
        h.Set("error_rate", 0.10);
        Assert.Equal(FiveMinutes, h.TicksUntilFired(TimeSpan.FromMinutes(10)));
        Run(h, TimeSpan.FromMinutes(2), v => Assert.False(v.Fired));
        h.Set("error_rate", 0.0);
        h.Tick();
        h.Set("error_rate", 0.10);
        Assert.Equal(FiveMinutes, h.TicksUntilFired(TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Evaluate_GapWithInconclusivePolicy_KeepsTimerAndFiresOnNextFailure()
    {
        var h = Harness(Trigger(noData: NoDataPolicy.Inconclusive));
        h.Set("error_rate", 0.10);
        var start = h.Tick().FailingSinceUtcTicks;
        Run(h, TimeSpan.FromMinutes(3));

        h.SetNoData("error_rate");
        Run(h, TimeSpan.FromMinutes(3), v =>
        {
            Assert.Equal(VerdictOutcome.Inconclusive, v.Outcome);
            Assert.False(v.Fired);
            Assert.Equal(start, v.FailingSinceUtcTicks);
        });

        h.Set("error_rate", 0.10);
        var resumed = h.Tick();
        Assert.True(resumed.Fired);
        Assert.Equal(start, resumed.FailingSinceUtcTicks);
    }

    [Fact]
    public void Evaluate_NaNValueWithValueStatus_CountsAsNoData()
    {
        var h = Harness(Trigger(TimeSpan.Zero, NoDataPolicy.Fail));
        h.Set("error_rate", double.NaN);
        var verdict = h.Tick();
        Assert.Equal(VerdictOutcome.Fail, verdict.Outcome);
        Assert.True(verdict.Fired);
    }

    [Fact]
    public void Evaluate_GapWithPassPolicy_ResetsTimer()
    {
        var h = Harness(Trigger(noData: NoDataPolicy.Pass));
        h.Set("error_rate", 0.10);
        Run(h, TimeSpan.FromMinutes(3));
        h.SetNoData("error_rate");
        var gap = h.Tick();
        Assert.Equal(VerdictOutcome.Pass, gap.Outcome);
        Assert.Equal(0, gap.FailingSinceUtcTicks);

        h.Set("error_rate", 0.10);
        Assert.Equal(FiveMinutes, h.TicksUntilFired(TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Evaluate_GapWithFailPolicy_CountsAsFailing()
    {
        var h = Harness(Trigger(noData: NoDataPolicy.Fail));
        h.Set("error_rate", 0.10);
        h.Tick();
        var start = h.Now;
        Run(h, TimeSpan.FromMinutes(2));
        h.SetNoData("error_rate");
        TriggerVerdict fired = default;
        Run(h, TimeSpan.FromMinutes(5), v =>
        {
            Assert.Equal(VerdictOutcome.Fail, v.Outcome);
            if (v.Fired)
            {
                fired = v;
            }
        });
        Assert.True(fired.Fired);
        Assert.Equal(start.UtcTicks, fired.FailingSinceUtcTicks);
    }

    [Fact]
    public void Evaluate_NoDataBeforeAnyValue_IsInconclusive()
    {
        var h = Harness(Trigger(TimeSpan.Zero));
        var verdict = h.Tick();
        Assert.Equal(VerdictOutcome.Inconclusive, verdict.Outcome);
        Assert.False(verdict.Fired);
    }

    [Fact]
    public void Evaluate_FailureLimitWithinWindow_FiresOnLimit()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.FailureLimit = 3;
        trigger.FailureWindow = FiveMinutes;
        var h = Harness(trigger);

        // Failures at 0, 2:00 and 4:00 with passes between: the third fires.
        for (var i = 0; i < 3; i++)
        {
            h.Set("error_rate", 0.10);
            var failing = h.Tick();
            Assert.Equal(i + 1, failing.TotalFailures);
            Assert.Equal(1, failing.ConsecutiveFailures);
            Assert.Equal(i == 2, failing.Fired);
            h.Set("error_rate", 0.0);
            if (i < 2)
            {
                Run(h, TimeSpan.FromMinutes(2) - EngineHarness.Interval, v => Assert.Equal(i + 1, v.TotalFailures));
            }
        }
    }

    [Fact]
    public void Evaluate_FailuresSpreadBeyondWindow_DoNotFire()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.FailureLimit = 3;
        trigger.FailureWindow = FiveMinutes;
        var h = Harness(trigger);

        // Failures at 0, 2:30, 5:00: at 5:00 the first is exactly one window old and no longer counts.
        for (var i = 0; i < 3; i++)
        {
            h.Set("error_rate", 0.10);
            var failing = h.Tick(i == 0 ? EngineHarness.Interval : TimeSpan.FromSeconds(150) - EngineHarness.Interval);
            Assert.False(failing.Fired);
            Assert.Equal(Math.Min(i + 1, 2), failing.TotalFailures);
            h.Set("error_rate", 0.0);
            h.Tick();
        }

        // Three within 5:00 then.
        h.Set("error_rate", 0.10);
        Assert.True(h.Tick(TimeSpan.FromSeconds(20)).Fired);

        // Once everything slides out, the count is zero again.
        h.Set("error_rate", 0.0);
        Assert.Equal(0, h.Tick(FiveMinutes).TotalFailures);
    }

    [Fact]
    public void Evaluate_FailureLimitWithoutWindow_CountsSinceStart()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.FailureLimit = 3;
        var h = Harness(trigger);
        for (var i = 0; i < 2; i++)
        {
            h.Set("error_rate", 0.10);
            Assert.False(h.Tick().Fired);
            h.Set("error_rate", 0.0);
            h.Tick(TimeSpan.FromHours(1));
        }

        h.Set("error_rate", 0.10);
        var verdict = h.Tick();
        Assert.True(verdict.Fired);
        Assert.Equal(3, verdict.TotalFailures);
    }

    [Fact]
    public void Evaluate_ConsecutiveFailureLimit_FiresOnlyOnUnbrokenRun()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.ConsecutiveFailureLimit = 3;
        var h = Harness(trigger);
        h.Set("error_rate", 0.10);
        Assert.False(h.Tick().Fired);
        Assert.False(h.Tick().Fired);
        h.Set("error_rate", 0.0);
        Assert.Equal(0, h.Tick().ConsecutiveFailures);
        h.Set("error_rate", 0.10);
        Assert.False(h.Tick().Fired);
        Assert.False(h.Tick().Fired);

        // No data (inconclusive) neither breaks nor extends the run.
        h.SetNoData("error_rate");
        Assert.Equal(2, h.Tick().ConsecutiveFailures);
        h.Set("error_rate", 0.10);
        var verdict = h.Tick();
        Assert.True(verdict.Fired);
        Assert.Equal(3, verdict.ConsecutiveFailures);
    }

    [Fact]
    public void Evaluate_LimitsWithForZero_DoNotFireOnFirstFailure()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.ConsecutiveFailureLimit = 2;
        var h = Harness(trigger);
        h.Set("error_rate", 0.10);
        Assert.False(h.Tick().Fired);
        Assert.True(h.Tick().Fired);
    }

    [Fact]
    public void Evaluate_ForAndLimit_WhicheverComesFirstFires()
    {
        var trigger = Trigger(TimeSpan.FromMinutes(1));
        trigger.FailureLimit = 100;
        var h = Harness(trigger);
        h.Set("error_rate", 0.10);
        Assert.Equal(TimeSpan.FromMinutes(1), h.TicksUntilFired(FiveMinutes));
    }

    [Fact]
    public void Evaluate_ErrorLimit_ReachedExactlyOnceAndNeverFires()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.ErrorLimit = 3;
        var h = Harness(trigger);
        h.SetError("error_rate");
        var verdicts = Enumerable.Range(0, 6).Select(_ => h.Tick()).ToArray();
        Assert.All(verdicts, v => Assert.Equal(VerdictOutcome.Error, v.Outcome));
        Assert.All(verdicts, v => Assert.False(v.Fired));
        Assert.Equal([1, 2, 3, 4, 5, 6], verdicts.Select(v => v.ConsecutiveErrors));
        Assert.Equal([false, false, true, false, false, false], verdicts.Select(v => v.ErrorLimitReached));

        // A measurement resets the error run; three more errors reach the limit again.
        h.Set("error_rate", 0.0);
        Assert.Equal(0, h.Tick().ConsecutiveErrors);
        h.SetError("error_rate");
        Assert.False(h.Tick().ErrorLimitReached);
        Assert.False(h.Tick().ErrorLimitReached);
        Assert.True(h.Tick().ErrorLimitReached);
    }

    [Fact]
    public void Evaluate_ErrorInFailingEpisode_RestartsForClock()
    {
        var h = Harness(Trigger());
        h.Set("error_rate", 0.10);
        var first = h.Tick();
        Run(h, TimeSpan.FromMinutes(4), v => Assert.False(v.Fired));

        // One source error 4:10 into the episode: the measurement is unknown, so the episode ends.
        h.SetError("error_rate");
        var error = h.Tick();
        Assert.Equal(VerdictOutcome.Error, error.Outcome);
        Assert.Equal(0, error.FailingSinceUtcTicks);
        Assert.Equal(0, error.ConsecutiveFailures);

        // Breaching again: the first tick would have been past the old 5:00, yet nothing fires before a new full 5:00.
        h.Set("error_rate", 0.10);
        var restart = h.Tick();
        Assert.False(restart.Fired);
        Assert.Equal(h.Now.UtcTicks, restart.FailingSinceUtcTicks);
        Assert.Equal(1, restart.ConsecutiveFailures);
        Assert.NotEqual(first.FailingSinceUtcTicks, restart.FailingSinceUtcTicks);

        // The restart tick counts: 4:50 more ticks reach a full 5:00 of consecutive breaches.
        var untilFired = h.TicksUntilFired(TimeSpan.FromMinutes(10));
        Assert.Equal(FiveMinutes - EngineHarness.Interval, untilFired);
    }

    [Fact]
    public void Evaluate_ErrorBetweenFailures_ResetsConsecutiveCountButNotErrorLimit()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.ConsecutiveFailureLimit = 3;
        trigger.ErrorLimit = 2;
        var h = Harness(trigger);
        h.Set("error_rate", 0.10);
        Assert.Equal(2, new[] { h.Tick(), h.Tick() }.Last().ConsecutiveFailures);
        h.SetError("error_rate");
        Assert.False(h.Tick().ErrorLimitReached);
        h.Set("error_rate", 0.10);
        var afterError = h.Tick();
        Assert.False(afterError.Fired);
        Assert.Equal(1, afterError.ConsecutiveFailures);
        Assert.False(h.Tick().Fired);
        Assert.True(h.Tick().Fired);

        // The error-limit alert still counts consecutive errors.
        h.SetError("error_rate");
        Assert.False(h.Tick().ErrorLimitReached);
        Assert.True(h.Tick().ErrorLimitReached);
    }

    [Fact]
    public void Evaluate_ErrorTakesPriorityOverNoData()
    {
        var h = Harness(Trigger(TimeSpan.Zero, NoDataPolicy.Fail, "error_rate > latency"));
        h.SetNoData("error_rate").SetError("latency");
        Assert.Equal(VerdictOutcome.Error, h.Tick().Outcome);
        h.Set("latency", 0.01);
        Assert.Equal(VerdictOutcome.Fail, h.Tick().Outcome);
        h.Set("error_rate", 0.0);
        Assert.Equal(VerdictOutcome.Pass, h.Tick().Outcome);
    }

    [Fact]
    public void Evaluate_ComputedNaN_ComparisonIsFalse()
    {
        var h = Harness(Trigger(TimeSpan.Zero, condition: "error_rate / latency > 1"));
        h.Set("error_rate", 0).Set("latency", 0);
        var verdict = h.Tick();
        Assert.Equal(VerdictOutcome.Pass, verdict.Outcome);
        Assert.True(double.IsNaN(verdict.Actual));
    }

    [Fact]
    public void Evaluate_DryRun_FiresExactlyLikeTheSameTriggerWithoutDryRun()
    {
        // The engine's timing is identical for a dry-run trigger: the monitor decides not to act, the engine does not.
        var dryRun = Trigger();
        dryRun.Name = "dry";
        dryRun.DryRun = true;
        var live = Trigger();
        var h = new EngineHarness(["error_rate", "latency"], [dryRun, live]);
        Assert.True(h.Engine.Triggers[0].DryRun);
        Assert.False(h.Engine.Triggers[1].DryRun);
        var script = new (TimeSpan From, double Value)[]
        {
            (TimeSpan.Zero, 0.10), (TimeSpan.FromMinutes(2), 0.01), (TimeSpan.FromMinutes(3), 0.10), (TimeSpan.FromMinutes(12), 0.01),
            (TimeSpan.FromMinutes(13), 0.10),
        };
        var start = h.Now;
        var firedAt = new List<TimeSpan>();
        for (var elapsed = EngineHarness.Interval; elapsed <= TimeSpan.FromMinutes(20); elapsed += EngineHarness.Interval)
        {
            h.Set("error_rate", script.Last(s => s.From < elapsed).Value);
            var verdicts = h.Evaluate();
            h.Time.Advance(EngineHarness.Interval);
            Assert.Equal(verdicts[1], verdicts[0]);
            if (verdicts[0].Fired)
            {
                firedAt.Add(elapsed);
                Assert.Equal(0.10, verdicts[0].Actual);
                Assert.Equal(0.05, verdicts[0].Threshold);
            }
        }

        // The 2-minute episode is too short; the 9-minute one fires once, 5:00 after it began; the last fires again.
        Assert.Equal(new[] { TimeSpan.FromMinutes(8) + EngineHarness.Interval, TimeSpan.FromMinutes(18) + EngineHarness.Interval }, firedAt);
        Assert.Equal(start + TimeSpan.FromMinutes(20), h.Now);
    }

    [Fact]
    public void Evaluate_Disabled_NeverFires()
    {
        var trigger = Trigger(TimeSpan.Zero);
        trigger.Enabled = false;
        var h = Harness(trigger);
        h.Set("error_rate", 0.10);
        Run(h, TimeSpan.FromMinutes(10), v =>
        {
            Assert.Equal(VerdictOutcome.Disabled, v.Outcome);
            Assert.False(v.Fired);
            Assert.Equal(0, v.ConsecutiveFailures);
        });
    }

    [Fact]
    public void ResetTarget_ClearsTimingStateOfThatTargetOnly()
    {
        var trigger = Trigger();
        var h = new EngineHarness(["error_rate", "latency"], [trigger], targets: 2);
        h.Set("error_rate", 0.10, target: 0).Set("error_rate", 0.10, target: 1);
        Run(h, TimeSpan.FromMinutes(4));
        h.Engine.ResetTarget(0);
        h.Time.Advance(EngineHarness.Interval);
        var verdicts = h.Evaluate();
        Assert.Equal(1, verdicts[0].ConsecutiveFailures);
        Assert.Equal(h.Now.UtcTicks, verdicts[0].FailingSinceUtcTicks);
        Assert.Equal(25, verdicts[1].ConsecutiveFailures);
    }

    [Fact]
    public void Evaluate_Verdicts_AreTargetMajorWithReportedCount()
    {
        TriggerDefinition[] triggers =
        [
            new() { Name = "high", Condition = "error_rate > 0.5" },
            new() { Name = "slow", Condition = "latency > 250ms", ErrorLimit = 1 },
        ];
        var h = new EngineHarness(["error_rate", "latency"], triggers, targets: 3);
        h.Set("error_rate", 0.9, 0).Set("latency", 0.1, 0);
        h.Set("error_rate", 0.1, 1).Set("latency", 0.3, 1);
        h.Set("error_rate", 0.1, 2).SetError("latency", 2);
        var buffer = new TriggerVerdict[h.Engine.VerdictCount + 2];
        Assert.Equal(6, h.Engine.VerdictCount);
        var reported = h.Engine.Evaluate(h.Now, buffer);
        Assert.Equal(3, reported); // target 0 high fired, target 1 slow fired, target 2 slow error limit
        // verdicts[target * triggerCount + trigger]: each holds its own target's value of its own trigger's query.
        Assert.Equal([0.9, 0.1, 0.1, 0.3, 0.1, double.NaN], buffer[..6].Select(v => v.Actual));
        Assert.Equal([0.5, 0.25, 0.5, 0.25, 0.5, 0.25], buffer[..6].Select(v => v.Threshold));

        Assert.True(buffer[0].Fired);
        Assert.Equal(VerdictOutcome.Pass, buffer[1].Outcome);
        Assert.Equal(VerdictOutcome.Pass, buffer[2].Outcome);
        Assert.True(buffer[3].Fired);
        Assert.Equal(0.3, buffer[3].Actual);
        Assert.Equal(0.25, buffer[3].Threshold);
        Assert.True(buffer[5].ErrorLimitReached);
        Assert.Equal(default, buffer[6]);

        Assert.Throws<ArgumentException>(() => h.Engine.Evaluate(h.Now, new TriggerVerdict[5]));
    }

    [Fact]
    public void Engine_Metadata_ListsValuesAndReferences()
    {
        TriggerDefinition[] triggers = [new() { Name = "a", Condition = "latency > baseline.error_rate and error_rate > 0" }];
        var engine = new EvaluationEngine(
            [new RollbackTarget("x")],
            ["error_rate", "latency"],
            triggers,
            [new BaselineDefinition { Name = "baseline.error_rate", Query = "error_rate" }]);
        Assert.Equal(["error_rate", "latency", "baseline.error_rate"], engine.ValueNames);
        Assert.Equal(2, engine.GetValueIndex("baseline.error_rate"));
        Assert.Equal(-1, engine.GetValueIndex("nope"));
        Assert.Equal([0, 1, 2], engine.GetReferencedValues(0));
        Assert.Single(engine.Targets);
        Assert.Same(triggers[0], engine.Triggers[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.GetValues(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.ResetTarget(1));
    }
}
