using RollbackKit.Monitoring;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

public class ExplanationTextTests
{
    private static readonly DateTimeOffset Ten = new(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly TriggerDefinition ForTwoMinutes = new() { Name = "error-rate", Condition = "error_rate > 2", For = TimeSpan.FromMinutes(2) };

    private static TriggerExplanation Point(TriggerDefinition trigger, TriggerOutcome outcome, TriggerTimerState state = default, double value = 5, bool fired = false, int secondsAfterTen = 45) =>
        new(trigger, "shop/checkout", Ten.AddSeconds(secondsAfterTen), [new MeasuredValue("error_rate", value)])
        {
            Outcome = outcome,
            Fired = fired,
            Actual = double.IsNaN(value) ? null : value,
            Threshold = 2,
            State = state,
        };

    [Fact]
    public void Why_Pass_SaysHealthyWithActualAndThreshold()
    {
        var point = Point(ForTwoMinutes, TriggerOutcome.Pass, value: 0.5);

        Assert.Equal("condition does not hold (actual 0.5, threshold 2): healthy, nothing to fire", point.Why);
        Assert.False(point.Failed);
    }

    [Fact]
    public void Why_BreachingShorterThanFor_SaysSinceWhenAndTimeLeft()
    {
        var point = Point(ForTwoMinutes, TriggerOutcome.Fail, new TriggerTimerState { BreachingSince = Ten, ConsecutiveFailures = 4 });

        Assert.Equal(
            "condition holds (actual 5, threshold 2); breaching since 2026-01-01 10:00:00Z, 45 s of For 2 min 0 s: fires in 1 min 15 s if it keeps failing",
            point.Why);
        Assert.True(point.Failed);
    }

    [Fact]
    public void Why_FiredByFor_SaysHowLongItHeld()
    {
        var point = Point(ForTwoMinutes, TriggerOutcome.Fail, new TriggerTimerState { BreachingSince = Ten, Latched = true }, fired: true, secondsAfterTen: 120);

        Assert.Equal("condition holds (actual 5, threshold 2): fired, breaching since 2026-01-01 10:00:00Z, 2 min 0 s ≥ For 2 min 0 s", point.Why);
    }

    [Fact]
    public void Why_FailingAfterFiring_SaysItRearmsAfterAPass()
    {
        var point = Point(ForTwoMinutes, TriggerOutcome.Fail, new TriggerTimerState { BreachingSince = Ten, Latched = true }, secondsAfterTen: 300);

        Assert.Equal("condition holds (actual 5, threshold 2): already fired in this failing episode; re-arms after a passing measurement", point.Why);
    }

    [Fact]
    public void Why_FailureLimits_CountTowardsEachLimit()
    {
        var limits = new TriggerDefinition { Name = "limits", Condition = "error_rate > 2", FailureLimit = 3, FailureWindow = TimeSpan.FromMinutes(5), ConsecutiveFailureLimit = 4 };

        var counting = Point(limits, TriggerOutcome.Fail, new TriggerTimerState { BreachingSince = Ten, TotalFailures = 2, ConsecutiveFailures = 2 });
        var fired = Point(limits, TriggerOutcome.Fail, new TriggerTimerState { BreachingSince = Ten, TotalFailures = 3, ConsecutiveFailures = 3 }, fired: true);

        Assert.Equal("condition holds (actual 5, threshold 2); 2 of 3 failures within 5 min 0 s; 2 of 4 consecutive failures", counting.Why);
        Assert.Equal("condition holds (actual 5, threshold 2): fired, 3 failures reached FailureLimit 3 within 5 min 0 s", fired.Why);
    }

    [Fact]
    public void Why_NoData_NamesTheMissingValueAndKeepsTheTimer()
    {
        var point = Point(ForTwoMinutes, TriggerOutcome.NoData, new TriggerTimerState { BreachingSince = Ten }, value: double.NaN);

        Assert.StartsWith("no data for error_rate: inconclusive (NoData: Inconclusive), the timer keeps its state; breaching since 2026-01-01 10:00:00Z", point.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Why_NoDataCountedAsFailure_SaysSo()
    {
        var point = Point(ForTwoMinutes, TriggerOutcome.Fail, new TriggerTimerState { BreachingSince = Ten }, value: double.NaN);

        Assert.StartsWith("no data counts as a failure (NoData: Fail); breaching since", point.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Why_Errors_CountTowardsTheErrorLimitThenAlert()
    {
        var trigger = new TriggerDefinition { Name = "e", Condition = "error_rate > 2", ErrorLimit = 3 };
        var first = Point(trigger, TriggerOutcome.Error, new TriggerTimerState { ConsecutiveErrors = 1 }, value: double.NaN);
        var limit = new TriggerExplanation(trigger, "shop/checkout", Ten, [new MeasuredValue("error_rate", double.NaN)])
        {
            Outcome = TriggerOutcome.Error,
            ErrorLimitReached = true,
            Error = "query 'error_rate': Prometheus unreachable",
            State = new TriggerTimerState { ConsecutiveErrors = 3 },
        };

        Assert.Equal("measurement error: not a failure; the For clock and the consecutive failures restart; 1 of 3 consecutive errors before an alert", first.Why);
        Assert.Equal("measurement error (query 'error_rate': Prometheus unreachable): 3 consecutive errors reached the error limit, an alert is raised (errors never roll back)", limit.Why);
    }

    [Fact]
    public void Why_Disabled_SaysNotEvaluated()
    {
        Assert.Equal("disabled: not evaluated", Point(ForTwoMinutes, TriggerOutcome.Disabled).Why);
    }
}
