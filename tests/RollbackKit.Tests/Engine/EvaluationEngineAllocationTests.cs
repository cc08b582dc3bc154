using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

public class EvaluationEngineAllocationTests
{
    [Fact]
    public void Evaluate_SteadyState_AllocatesNothing()
    {
        const int targets = 2000;
        string[] queries = ["canary_error_rate", "baseline_error_rate", "p99", "baseline_p99", "success_rate", "security_events", "memory_ratio", "probe"];
        TriggerDefinition[] triggers =
        [
            new() { Name = "errors", Condition = "canary_error_rate > baseline_error_rate * 1.5", For = TimeSpan.FromMinutes(5) },
            new() { Name = "p99", Condition = "p99 > baseline_p99 * 2 and p99 > 100ms", For = TimeSpan.FromMinutes(5), NoData = NoDataPolicy.Fail },
            new() { Name = "success", Condition = "success_rate < 95%", For = TimeSpan.FromMinutes(3), NoData = NoDataPolicy.Pass },
            new() { Name = "security", Condition = "security_events > 0" },
            new() { Name = "memory", Condition = "memory_ratio > 95%", For = TimeSpan.FromMinutes(5) },
            new() { Name = "probe", Condition = "probe < 1", FailureLimit = 4, FailureWindow = TimeSpan.FromMinutes(5) },
            new() { Name = "captured", Condition = "canary_error_rate > max(baseline.error_rate * 2, 1%)", ConsecutiveFailureLimit = 3 },
            new() { Name = "off", Condition = "not isnan(p99) and abs(-p99) > 1", Enabled = false },
        ];
        var engine = new EvaluationEngine(
            [.. Enumerable.Range(0, targets).Select(i => new RollbackTarget($"t{i}"))],
            queries,
            triggers,
            [new BaselineDefinition { Name = "baseline.error_rate", Query = "canary_error_rate", Window = TimeSpan.FromMinutes(20) }]);
        var verdicts = new TriggerVerdict[engine.VerdictCount];
        var random = new Random(7);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var t = 0; t < targets; t += 2)
        {
            engine.StartBaselineCapture(t, now);
        }

        var fired = 0;
        void Tick()
        {
            for (var v = 0; v < queries.Length; v++)
            {
                var values = engine.GetValues(v);
                var statuses = engine.GetStatuses(v);
                for (var t = 0; t < targets; t++)
                {
                    var roll = random.Next(100);
                    values[t] = roll < 3 ? double.NaN : random.NextDouble() * 2;
                    statuses[t] = roll < 2 ? MetricSampleStatus.Error : roll < 4 ? MetricSampleStatus.NoData : MetricSampleStatus.Value;
                }
            }

            now += TimeSpan.FromSeconds(10);
            fired += engine.Evaluate(now, verdicts);
        }

        for (var i = 0; i < 50; i++)
        {
            Tick();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Tick();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        // The run exercised the state machine, not an idle path.
        Assert.True(fired > 0);
        Assert.Contains(verdicts, v => v.Outcome == VerdictOutcome.Error);
        Assert.Contains(verdicts, v => v.Outcome == VerdictOutcome.Fail);
        Assert.Contains(verdicts, v => v.Outcome == VerdictOutcome.Disabled);
        Assert.False(engine.IsCapturing(0, "baseline.error_rate"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10_000)]
    public void Evaluate_EightTriggers_AllocatesNothingPerTick(int targets)
    {
        string[] queries = ["canary_error_rate", "baseline_error_rate", "canary_p99", "baseline_p99", "success_rate", "canary_rps", "baseline_rps", "security_events", "memory_ratio", "breaker_trips", "db_errors"];
        TriggerDefinition[] triggers =
        [
            new() { Name = "error-rate", Condition = "canary_error_rate > baseline_error_rate * 1.5", For = TimeSpan.FromMinutes(5) },
            new() { Name = "p99", Condition = "canary_p99 > baseline_p99 * 2", For = TimeSpan.FromMinutes(5) },
            new() { Name = "success", Condition = "success_rate < 0.95", For = TimeSpan.FromMinutes(3) },
            new() { Name = "throughput", Condition = "canary_rps < baseline_rps * 0.5", For = TimeSpan.FromMinutes(10) },
            new() { Name = "security", Condition = "security_events > 0" },
            new() { Name = "memory", Condition = "memory_ratio > 95%", For = TimeSpan.FromMinutes(5) },
            new() { Name = "breaker", Condition = "breaker_trips > 10", FailureLimit = 3, FailureWindow = TimeSpan.FromMinutes(1) },
            new() { Name = "db", Condition = "db_errors > 10 or db_errors < 0" },
        ];
        var engine = new EvaluationEngine([.. Enumerable.Range(0, targets).Select(i => new RollbackTarget($"t{i}"))], queries, triggers);
        var verdicts = new TriggerVerdict[engine.VerdictCount];
        var random = new Random(11);
        for (var v = 0; v < queries.Length; v++)
        {
            var values = engine.GetValues(v);
            var statuses = engine.GetStatuses(v);
            for (var t = 0; t < targets; t++)
            {
                values[t] = random.Next(20) == 0 ? 50 : random.NextDouble() * 0.5;
                statuses[t] = random.Next(100) == 0 ? MetricSampleStatus.Error : MetricSampleStatus.Value;
            }
        }

        // The first target always breaches "security", so every run fires at least once.
        engine.GetValues(7)[0] = 1;
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var fired = 0;
        for (var i = 0; i < 5; i++)
        {
            now += TimeSpan.FromSeconds(10);
            fired += engine.Evaluate(now, verdicts);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            now += TimeSpan.FromSeconds(10);
            engine.Evaluate(now, verdicts);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(fired > 0);
        Assert.Equal(VerdictOutcome.Fail, verdicts[4].Outcome);
    }
}
