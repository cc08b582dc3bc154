using System.Globalization;
using CsCheck;
using RollbackKit.Engine;
using RollbackKit.Engine.Internal;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

/// <summary>
/// Conditions of the common shapes are compared directly in the engine's per-target pass; every other condition runs
/// its vectorized column program. Both paths must give the same verdicts, tick after tick.
/// </summary>
public class EvaluationEngineShapeTests
{
    private static readonly string[] s_queries = ["a", "b", "c"];
    private static readonly string[] s_compares = [">", ">=", "<", "<=", "==", "!="];
    private static readonly string[] s_constants = ["0", "1", "1.5", "-2", "0.25", "95%", "100ms", "0.0", "-(1.5)", "(2 * 3)", "(1 / 0)"];

    private static readonly double[] s_special =
        [0, -0.0, 1, -1, 0.5, 1.5, 2, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e308, 0.95, 0.1];

    private static readonly Gen<string> s_fastCondition =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, s_compares.Length - 1], Gen.Int[0, 2], Gen.Int[0, s_constants.Length - 1], Gen.Int[0, 3])
            .Select(x =>
            {
                var a = s_queries[x.Item1];
                var b = s_queries[(x.Item1 + 1 + (x.Item3 % 2)) % 3];
                var cmp = s_compares[x.Item2];
                var c = s_constants[x.Item4];
                return x.Item5 switch
                {
                    0 => $"{a} {cmp} {c}",
                    1 => $"{a} {cmp} {b}",
                    2 => $"{a} {cmp} {b} * {c}",
                    _ => $"{a} {cmp} {c} * {b}",
                };
            });

    private static readonly Gen<TriggerDefinition> s_trigger =
        Gen.Select(s_fastCondition, Gen.OneOf(0, 10, 20, 40), Gen.Int[0, 3], Gen.OneOf(0, 30, 60), Gen.Int[0, 3])
            .SelectMany(t => Gen.Select(Gen.Int[0, 2], Gen.Int[1, 3], Gen.Int[0, 9]).Select(u => new TriggerDefinition
            {
                Name = "random",
                Condition = t.Item1,
                For = TimeSpan.FromSeconds(t.Item2),
                FailureLimit = t.Item3,
                FailureWindow = t.Item4 == 0 || t.Item3 == 0 ? null : TimeSpan.FromSeconds(t.Item4),
                ConsecutiveFailureLimit = t.Item5,
                NoData = (NoDataPolicy)u.Item1,
                ErrorLimit = u.Item2,
                Enabled = u.Item3 != 0,
            }));

    [Theory]
    [InlineData("a > 1", nameof(ConditionShape.CompareConstant))]
    [InlineData("a <= 95%", nameof(ConditionShape.CompareConstant))]
    [InlineData("a > b", nameof(ConditionShape.CompareScaled))]
    [InlineData("a > b * 1.5", nameof(ConditionShape.CompareScaled))]
    [InlineData("a != 2 * b", nameof(ConditionShape.CompareScaled))]
    [InlineData("a < -2", nameof(ConditionShape.CompareConstant))]
    [InlineData("a < b * -(1 + 1)", nameof(ConditionShape.CompareScaled))]
    [InlineData("a > a * 2", nameof(ConditionShape.General))]
    [InlineData("1 < a", nameof(ConditionShape.General))]
    [InlineData("a > b / 2", nameof(ConditionShape.General))]
    [InlineData("a + 1 > b", nameof(ConditionShape.General))]
    [InlineData("a > 1 and b > 2", nameof(ConditionShape.General))]
    public void Constructor_Condition_ChoosesShape(string condition, string expected)
    {
        var engine = new EvaluationEngine([new RollbackTarget("t")], s_queries, [new TriggerDefinition { Name = "x", Condition = condition }]);

        Assert.Equal(expected, engine.GetShape(0).ToString());
    }

    [Fact]
    public void Constructor_DisabledTrigger_IsDisabledShape()
    {
        var engine = new EvaluationEngine([new RollbackTarget("t")], s_queries, [new TriggerDefinition { Name = "x", Condition = "a > 1", Enabled = false }]);

        Assert.Equal(ConditionShape.Disabled, engine.GetShape(0));
    }

    [Fact]
    public void Evaluate_FastShapes_MatchColumnPrograms()
    {
        Gen.Select(s_trigger.Array[1, 8], Gen.OneOf(Gen.Int[1, 21], Gen.Int[250, 600]), Gen.Int[0, int.MaxValue]).Sample(
            x =>
            {
                var (triggers, targetCount, seed) = x;
                for (var t = 0; t < triggers.Length; t++)
                {
                    triggers[t].Name = $"t{t}";
                }

                var targets = Enumerable.Range(0, targetCount).Select(i => new RollbackTarget($"t{i}")).ToArray();
                var fast = new EvaluationEngine(targets, s_queries, triggers);
                var programs = new EvaluationEngine(targets, s_queries, triggers, fastShapes: false);
                Assert.All(Enumerable.Range(0, triggers.Length), t => Assert.NotEqual(ConditionShape.General, fast.GetShape(t)));
                Assert.All(Enumerable.Range(0, triggers.Length), t => Assert.NotEqual(ConditionShape.CompareConstant, programs.GetShape(t)));

                var random = new Random(seed);
                var fastVerdicts = new TriggerVerdict[fast.VerdictCount];
                var programVerdicts = new TriggerVerdict[programs.VerdictCount];
                var now = DateTimeOffset.UnixEpoch.AddDays(1);
                for (var tick = 0; tick < 12; tick++)
                {
                    for (var v = 0; v < s_queries.Length; v++)
                    {
                        for (var t = 0; t < targetCount; t++)
                        {
                            var roll = random.Next(10);
                            var value = roll < 3 ? s_special[random.Next(s_special.Length)] : Math.Round((random.NextDouble() * 4) - 1, 2);
                            var status = roll == 9 ? (MetricSampleStatus)random.Next(4) : MetricSampleStatus.Value;
                            fast.GetValues(v)[t] = programs.GetValues(v)[t] = value;
                            fast.GetStatuses(v)[t] = programs.GetStatuses(v)[t] = status;
                        }
                    }

                    if (tick == 6)
                    {
                        fast.ResetTarget(0);
                        programs.ResetTarget(0);
                    }

                    now += TimeSpan.FromSeconds(10);
                    var fastReported = fast.Evaluate(now, fastVerdicts);
                    var programReported = programs.Evaluate(now, programVerdicts);
                    Assert.Equal(programReported, fastReported);
                    for (var k = 0; k < fastVerdicts.Length; k++)
                    {
                        Assert.True(
                            Same(programVerdicts[k], fastVerdicts[k]),
                            string.Create(CultureInfo.InvariantCulture, $"tick {tick}, verdict {k} ({triggers[k % triggers.Length].Condition}): {programVerdicts[k]} vs {fastVerdicts[k]}"));
                    }

                    for (var t = 0; t < triggers.Length; t++)
                    {
                        Assert.Equal(programs.IsLatched(t, targetCount - 1), fast.IsLatched(t, targetCount - 1));
                    }
                }
            },
            iter: 300);
    }

    // Record equality compares doubles with Equals, under which NaN equals NaN; -0.0 and 0.0 are told apart by their bits.
    private static bool Same(TriggerVerdict expected, TriggerVerdict actual) =>
        expected == actual
        && BitConverter.DoubleToInt64Bits(expected.Actual) == BitConverter.DoubleToInt64Bits(actual.Actual)
        && (double.IsNaN(expected.Threshold) || BitConverter.DoubleToInt64Bits(expected.Threshold) == BitConverter.DoubleToInt64Bits(actual.Threshold));
}
