using System.Globalization;
using System.Text;
using RollbackKit.Conditions;
using RollbackKit.Engine;
using RollbackKit.Engine.Internal;

namespace RollbackKit.Tests.Engine;

public class ColumnProgramTests
{
    private static readonly string[] s_names = ["a", "b", "c", "d"];

    [Theory]
    [InlineData(37)] // vector kernels, with a tail that is not a multiple of the vector width
    [InlineData(3)] // fewer targets than one vector: the element-by-element path
    public void Run_RandomExpressions_MatchScalarInterpreter(int count)
    {
        var random = new Random(4242);
        var values = s_names.Select(_ => new double[count]).ToArray();
        double[] special = [0, -0.0, 1, -1, 0.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, 2];
        for (var v = 0; v < values.Length; v++)
        {
            for (var i = 0; i < count; i++)
            {
                values[v][i] = random.Next(3) == 0 ? special[random.Next(special.Length)] : Math.Round((random.NextDouble() * 10) - 5, 1);
            }
        }

        var scratch = Enumerable.Range(0, 64).Select(_ => new double[count]).ToArray();
        var row = new double[s_names.Length];
        for (var e = 0; e < 2000; e++)
        {
            var text = Boolean(random, 0);
            var condition = ConditionParser.Parse(text, name => Array.IndexOf(s_names, name));
            var program = new ColumnProgram(condition, values, scratch, count);
            program.Run();
            for (var i = 0; i < count; i++)
            {
                for (var v = 0; v < row.Length; v++)
                {
                    row[v] = values[v][i];
                }

                var expected = condition.Evaluate(row, out var actual, out var threshold);
                Assert.True(expected == (program.Result[i] != 0), $"{text} at target {i}");
                Assert.Equal(expected ? 1.0 : 0.0, program.Result[i]);
                Assert.Equal(actual, program.Actual[i]);
                Assert.Equal(threshold, program.Threshold[i]);
            }
        }
    }

    [Fact]
    public void Lowering_ConstantsAndLoads_AreNotMaterialized()
    {
        var count = 5;
        var values = s_names.Select(_ => new double[count]).ToArray();
        var scratch = Enumerable.Range(0, 4).Select(_ => new double[count]).ToArray();
        var condition = ConditionParser.Parse("a > b * (1 + 50%)", name => Array.IndexOf(s_names, name));
        var program = new ColumnProgram(condition, values, scratch, count);

        // 1 + 50% is folded, a and b are read in place and b * 1.5 is written straight into the threshold column.
        Assert.Equal(2, program.OperationCount);
        Assert.Same(values[0], program.Actual);
        values[0][0] = 4;
        values[1][0] = 2;
        program.Run();
        Assert.Equal(1, program.Result[0]);
        Assert.Equal(3, program.Threshold[0]);
    }

    private static string Boolean(Random random, int depth)
    {
        var pick = depth > 4 ? 0 : random.Next(6);
        return pick switch
        {
            0 or 1 => $"{Number(random, depth + 1)} {Comparison(random)} {Number(random, depth + 1)}",
            2 => $"({Boolean(random, depth + 1)}) {(random.Next(2) == 0 ? "and" : "or")} ({Boolean(random, depth + 1)})",
            3 => $"not ({Boolean(random, depth + 1)})",
            4 => $"isnan({Number(random, depth + 1)})",
            _ => $"{Boolean(random, depth + 1)} {(random.Next(2) == 0 ? "&&" : "||")} {Number(random, depth + 1)} > 0",
        };
    }

    private static string Number(Random random, int depth)
    {
        var pick = depth > 4 ? random.Next(2) : random.Next(9);
        return pick switch
        {
            0 => s_names[random.Next(s_names.Length)],
            1 => random.Next(4) switch
            {
                0 => "5%",
                1 => "250ms",
                2 => "0",
                _ => Math.Round(random.NextDouble() * 4, 2).ToString(CultureInfo.InvariantCulture),
            },
            2 => $"({Number(random, depth + 1)} {"+-*/"[random.Next(4)]} {Number(random, depth + 1)})",
            3 => $"{Number(random, depth + 1)} {"+-*/"[random.Next(4)]} {Number(random, depth + 1)}",
            4 => $"-{Number(random, depth + 1)}",
            5 => $"abs({Number(random, depth + 1)})",
            6 => $"min({Number(random, depth + 1)}, {Number(random, depth + 1)})",
            7 => $"max({Number(random, depth + 1)}, {Number(random, depth + 1)})",
            _ => new StringBuilder().Append('(').Append(Number(random, depth + 1)).Append(')').ToString(),
        };
    }

    private static string Comparison(Random random) => random.Next(6) switch
    {
        0 => ">",
        1 => ">=",
        2 => "<",
        3 => "<=",
        4 => "==",
        _ => "!=",
    };
}
