using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

public class EvaluationEngineDifferentialTests
{
    [Fact]
    public void Evaluate_ManyTargetsAcrossBlocks_MatchesPerTargetInterpreter()
    {
        const int targets = (EvaluationEngine.BlockSize * 2) + 1; // two blocks plus a one-target tail
        string[] queries = ["a", "b", "c"];
        TriggerDefinition[] triggers =
        [
            new() { Name = "t0", Condition = "a > b * 1.5" },
            new() { Name = "t1", Condition = "min(a, c) - 1 <= abs(b) / 2 and c != 0.5", NoData = NoDataPolicy.Fail },
            new() { Name = "t2", Condition = "not (c * 2 < a + b) or isnan(a / c)", NoData = NoDataPolicy.Pass },
            new() { Name = "t3", Condition = "c > 25%" },
        ];
        var engine = new EvaluationEngine(
            [.. Enumerable.Range(0, targets).Select(i => new RollbackTarget($"t{i}"))],
            queries,
            triggers);
        var random = new Random(99);
        for (var v = 0; v < queries.Length; v++)
        {
            var values = engine.GetValues(v);
            var statuses = engine.GetStatuses(v);
            for (var t = 0; t < targets; t++)
            {
                var roll = random.Next(50);
                values[t] = roll == 0 ? double.NaN : roll == 1 ? 0 : Math.Round(random.NextDouble() * 4, 2) - 1;
                statuses[t] = roll == 2 ? MetricSampleStatus.Error : roll == 3 ? MetricSampleStatus.NoData : MetricSampleStatus.Value;
            }
        }

        var verdicts = new TriggerVerdict[engine.VerdictCount];
        engine.Evaluate(DateTimeOffset.UnixEpoch.AddDays(1), verdicts);

        var row = new double[queries.Length];
        for (var t = 0; t < targets; t++)
        {
            var hasError = false;
            var noData = false;
            for (var v = 0; v < queries.Length; v++)
            {
                row[v] = engine.GetValues(v)[t];
            }

            for (var g = 0; g < triggers.Length; g++)
            {
                hasError = false;
                noData = false;
                foreach (var v in engine.GetReferencedValues(g))
                {
                    var status = engine.GetStatuses(v)[t];
                    hasError |= status == MetricSampleStatus.Error;
                    noData |= status != MetricSampleStatus.Value || double.IsNaN(row[v]);
                }

                var fails = engine.GetCondition(g).Evaluate(row, out var actual, out var threshold);
                var expected = hasError ? VerdictOutcome.Error
                    : noData ? triggers[g].NoData switch
                    {
                        NoDataPolicy.Pass => VerdictOutcome.Pass,
                        NoDataPolicy.Fail => VerdictOutcome.Fail,
                        _ => VerdictOutcome.Inconclusive,
                    }
                    : fails ? VerdictOutcome.Fail : VerdictOutcome.Pass;
                var verdict = verdicts[(t * triggers.Length) + g];
                Assert.True(expected == verdict.Outcome, $"target {t} trigger {g}: expected {expected}, got {verdict.Outcome}");
                Assert.Equal(actual, verdict.Actual);
                Assert.Equal(threshold, verdict.Threshold);
                Assert.Equal(expected == VerdictOutcome.Fail, verdict.Fired);
            }
        }
    }
}
