using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Dispatch;
using RollbackKit.Judging;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Triggers;
using Xunit.Abstractions;

namespace RollbackKit.Prometheus.Tests.Backtesting;

/// <summary>Backtests against the real Prometheus over series the fixture backfilled.</summary>
[Collection(BacktestPrometheusGroup.Name)]
public sealed class PrometheusBacktestTests(BacktestPrometheusFixture prometheus, ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    private static MetricQueryDefinition ErrorRate => new()
    {
        Name = "error_rate",
        Expression = "max by (deployment) (bt_error_rate)",
        GroupBy = "deployment",
    };

    private static TriggerDefinition ErrorRateTrigger(TimeSpan forDuration) => new()
    {
        Name = "error-rate",
        Condition = "error_rate > 2",
        For = forDuration,
        Severity = RollbackSeverity.Critical,
    };

    [Fact]
    public async Task Backtest_SpikeHeldPastFor_FiresAtTheStepForElapses()
    {
        await using var services = Build(o =>
        {
            Target(o, "spiky");
            o.Queries.Add(ErrorRate);
            o.Triggers.Add(ErrorRateTrigger(TimeSpan.FromMinutes(2)));
        });

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(10, 40));

        Assert.Empty(result.Errors);
        var fire = Assert.Single(result.Fires);
        Assert.Equal("shop/spiky", fire.Target);
        Assert.Equal(prometheus.At(10, 22), fire.At);
        Assert.Equal(prometheus.At(10, 20), fire.BreachingSince);
        Assert.Equal(5.2, fire.Values["error_rate"]);
        Assert.Equal(DispatchStatus.Started, fire.Decision);
        var points = result.Targets[0].Triggers[0].Points;
        Assert.Equal(161, points.Count);
        Assert.All(points.Where(p => p.At < prometheus.At(10, 20)), p => Assert.Equal(TriggerOutcome.Pass, p.Outcome));
        Assert.Equal(0.5, points[0].Values[0].Value);
        Assert.Contains("fires in 15 s", points.Single(p => p.At == prometheus.At(10, 21, 45)).Why, StringComparison.Ordinal);
        Assert.True(points.Single(p => p.At == fire.At).Fired);
    }

    [Fact]
    public async Task Backtest_FlappingNeverHoldingFor_FailsButNeverFires()
    {
        await using var services = Build(o =>
        {
            Target(o, "flappy");
            o.Queries.Add(ErrorRate);
            o.Triggers.Add(ErrorRateTrigger(TimeSpan.FromMinutes(3)));
        });

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(10, 40));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Fires);
        var points = result.Targets[0].Triggers[0].Points;
        // Eight failing two-minute stretches (10:10, 10:14, ... 10:38) of 8 steps each; none lasts 3 minutes.
        Assert.Equal(64, points.Count(p => p.Failed));
        Assert.All(points, p => Assert.True(p.State.ConsecutiveFailures <= 8, p.Why));
    }

    [Fact]
    public async Task Backtest_NoTraffic_NoDataNeverFires()
    {
        await using var services = Build(o =>
        {
            Target(o, "quiet");
            Target(o, "idle");
            o.Queries.Add(ErrorRate);
            o.Triggers.Add(ErrorRateTrigger(TimeSpan.Zero));
        });

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(10, 40));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Fires);
        Assert.All(result.Targets.SelectMany(t => t.Triggers[0].Points), p =>
        {
            Assert.Equal(TriggerOutcome.NoData, p.Outcome);
            Assert.StartsWith("no data for error_rate", p.Why, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Backtest_CounterThatMustNotIncrease_FiresOnItsFirstIncrease()
    {
        await using var services = Build(o =>
        {
            Target(o, "payments");
            o.Queries.Add(new MetricQueryDefinition
            {
                Name = "payment_failures",
                Expression = "sum(increase(bt_payment_failures_total{deployment=\"{{name}}\"}[1m]))",
            });
            o.Triggers.Add(new TriggerDefinition { Name = "no-payment-failures", Condition = "payment_failures > 0", Severity = RollbackSeverity.Critical });
        });

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(10, 40));

        Assert.Empty(result.Errors);
        var fire = Assert.Single(result.Fires);
        Assert.Equal(prometheus.At(10, 30), fire.At);
        Assert.True(fire.Values["payment_failures"] > 0);
        Assert.All(result.Targets[0].Triggers[0].Points.Where(p => p.At < fire.At), p => Assert.Equal(0, p.Values[0].Value));
    }

    [Fact]
    public async Task Backtest_FailingQuery_NeverFiresAndReportsTheError()
    {
        await using var services = Build(o =>
        {
            Target(o, "spiky");
            o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "max by (deployment) (rate(bt_error_rate[1m]", GroupBy = "deployment" });
            o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "error_rate > 2", NoData = NoDataPolicy.Fail, ErrorLimit = 3 });
        });

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(10, 40));

        Assert.Empty(result.Fires);
        var error = Assert.Single(result.Errors);
        Assert.Contains("rejected the query as invalid", error, StringComparison.Ordinal);
        var points = result.Targets[0].Triggers[0].Points;
        Assert.All(points, p => Assert.Equal(TriggerOutcome.Error, p.Outcome));
        Assert.True(points[2].ErrorLimitReached);
    }

    [Fact]
    public async Task Backtest_PrometheusUnreachable_EveryStepIsAnError()
    {
        var closed = new Uri($"http://127.0.0.1:{Infrastructure.FreePort.Get()}/");
        await using var services = Build(
            o =>
            {
                Target(o, "spiky");
                o.Queries.Add(ErrorRate);
                o.Triggers.Add(ErrorRateTrigger(TimeSpan.Zero));
            },
            closed);

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(10, 5));

        Assert.Empty(result.Fires);
        Assert.Contains("cannot reach Prometheus", Assert.Single(result.Errors), StringComparison.Ordinal);
        Assert.All(result.Targets[0].Triggers[0].Points, p => Assert.Equal(TriggerOutcome.Error, p.Outcome));
    }

    [Fact]
    public async Task QueryRange_MoreStepsThanOneRequestAllows_SplitsWithoutGapsOrShifts()
    {
        var query = new MetricQueryDefinition { Name = "ramp", Expression = "max by (deployment) (bt_ramp)", GroupBy = "deployment" };
        var targets = new[] { new RollbackTarget("shop/ramp", new Dictionary<string, string> { ["name"] = "ramp" }) };
        var step = TimeSpan.FromMilliseconds(500);
        var steps = PrometheusHistorySource.MaxStepsPerRequest + 1001;
        var history = new MetricHistory(query, targets, prometheus.At(10, 0), step, steps);

        await using (var services = Build(o => Target(o, "ramp")))
        {
            var source = services.GetServices<IMetricHistorySource>().Single();
            await source.QueryRangeAsync(history, CancellationToken.None);
        }

        Assert.Empty(history.Errors);
        var values = history.GetValues(0);
        var statuses = history.GetStatuses(0);
        for (var k = 0; k < steps; k++)
        {
            Assert.Equal(MetricSampleStatus.Value, statuses[k]);
            Assert.Equal(BacktestSeries.RampAt(prometheus.Day, history.TimeAt(k)), values[k], 9);
        }

        output.WriteLine($"{steps} steps of {step.TotalMilliseconds} ms in two requests; last value {values[steps - 1]}");
    }

    [Fact]
    public async Task Backtest_JudgeTrigger_CanaryLatencyShiftsAt1030_FiresOnceAtTheFirstFailingJudgement()
    {
        var judge = new JudgeDefinition
        {
            Window = TimeSpan.FromMinutes(5),
            Step = Step,
            Interval = TimeSpan.FromMinutes(1),
            Metrics =
            {
                new JudgeMetricDefinition
                {
                    Name = "latency",
                    Canary = "bt_latency{deployment=\"{{name}}\",track=\"canary\"}",
                    Baseline = "bt_latency{deployment=\"{{name}}\",track=\"baseline\"}",
                    EffectTolerance = 0.05,
                },
            },
        };
        await using var services = Build(o =>
        {
            Target(o, "judged");
            o.Triggers.Add(new TriggerDefinition { Name = "canary-judge", Severity = RollbackSeverity.Critical, Judge = judge });
        });

        var result = await Run(services, prometheus.At(10, 0), prometheus.At(11, 0));

        // The oracle: the judge run directly over the samples the fixture wrote, window by window.
        var canaryJudge = new CanaryJudge(judge);
        DateTimeOffset? expected = null;
        for (var at = prometheus.At(10, 0); expected is null && at <= prometheus.At(11, 0); at += judge.Interval)
        {
            var canary = Enumerable.Range(0, 21).Select(k => BacktestSeries.LatencyAt(prometheus.Day, at - (Step * (20 - k)), canary: true)).ToArray();
            var baseline = Enumerable.Range(0, 21).Select(k => BacktestSeries.LatencyAt(prometheus.Day, at - (Step * (20 - k)), canary: false)).ToArray();
            expected = canaryJudge.Score([canaryJudge.JudgeMetric(0, canary, baseline)]).Classification == JudgeClassification.Fail ? at : null;
        }

        Assert.Empty(result.Errors);
        var fire = Assert.Single(result.Fires);
        Assert.Equal(("shop/judged", "canary-judge", DispatchStatus.Started), (fire.Target, fire.Trigger, fire.Decision));
        Assert.Equal(expected, fire.At);
        Assert.InRange(fire.At, prometheus.At(10, 31), prometheus.At(10, 35));
        var points = Assert.Single(result.Targets[0].Judges).Points;
        Assert.Equal(61, points.Count);
        Assert.All(points, p => Assert.Equal(21, p.Metrics[0].CanaryCount));
        Assert.All(points.Where(p => p.At < prometheus.At(10, 30)), p => Assert.Equal((JudgeClassification?)JudgeClassification.Pass, p.Classification));
        Assert.All(points.Where(p => p.At >= fire.At), p => Assert.Equal((JudgeClassification?)JudgeClassification.Fail, p.Classification));
        Assert.Equal(fire.At, Assert.Single(points, p => p.Fired).At);
        output.WriteLine($"judge fired at {fire.At:O}: {fire.Reason}");
    }

    private ServiceProvider Build(Action<RollbackKitOptions> configure, Uri? baseAddress = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRollbackKit(o =>
            {
                o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
                configure(o);
            })
            .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
            .AddPrometheus(p =>
            {
                p.BaseAddress = baseAddress ?? prometheus.BaseAddress;
                p.MaxRetries = 0;
            })
            .AddBacktesting();
        return services.BuildServiceProvider();
    }

    private static void Target(RollbackKitOptions o, string name) =>
        o.Targets.Add(new TargetDefinition { Id = "shop/" + name, Labels = { ["namespace"] = "shop", ["name"] = name } });

    private Task<BacktestResult> Run(ServiceProvider services, DateTimeOffset from, DateTimeOffset to)
    {
        var backtester = services.GetRequiredService<IBacktester>();
        output.WriteLine($"backtest {from:O} .. {to:O} every {Step}");
        return backtester.RunAsync(new BacktestRequest { From = from, To = to, Step = Step });
    }
}
