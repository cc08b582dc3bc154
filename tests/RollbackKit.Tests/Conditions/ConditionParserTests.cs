using System.Text;
using RollbackKit.Conditions;

namespace RollbackKit.Tests.Conditions;

public class ConditionParserTests
{
    private static readonly string[] s_names = ["error_rate", "baseline.error_rate", "latency", "_x", "b2"];

    private static CompiledCondition Parse(string text) =>
        ConditionParser.Parse(text, name => Array.IndexOf(s_names, name));

    private static bool Eval(string text, params double[] values)
    {
        var all = new double[s_names.Length];
        values.CopyTo(all, 0);
        return Parse(text).Evaluate(all, out _, out _);
    }

    [Theory]
    [InlineData("error_rate > 0.05", 0.06, true)]
    [InlineData("error_rate > 0.05", 0.05, false)]
    [InlineData("error_rate >= 0.05", 0.05, true)]
    [InlineData("error_rate < 0.05", 0.04, true)]
    [InlineData("error_rate <= 0.05", 0.06, false)]
    [InlineData("error_rate == 0.05", 0.05, true)]
    [InlineData("error_rate != 0.05", 0.05, false)]
    [InlineData("error_rate != 0.05", 0.5, true)]
    [InlineData("error_rate > 5%", 0.051, true)]
    [InlineData("error_rate > 5%", 0.049, false)]
    [InlineData("error_rate > 250ms", 0.26, true)]
    [InlineData("error_rate > 250ms", 0.24, false)]
    [InlineData("error_rate >= 2s", 2, true)]
    [InlineData("error_rate >= 2m", 119, false)]
    [InlineData("error_rate >= 2m", 120, true)]
    [InlineData("error_rate >= 1h", 3600, true)]
    [InlineData("error_rate >= 1.5h", 3600, false)]
    [InlineData("error_rate > .5", 0.6, true)]
    [InlineData("error_rate > 1e-3", 0.002, true)]
    [InlineData("error_rate > 1E2", 99, false)]
    [InlineData("-error_rate < -1", 2, true)]
    [InlineData("error_rate - 1 - 1 == 0", 2, true)]
    [InlineData("error_rate / 2 / 2 == 1", 4, true)]
    [InlineData("1 + error_rate * 2 == 7", 3, true)]
    [InlineData("(1 + error_rate) * 2 == 8", 3, true)]
    [InlineData("abs(error_rate) == 3", -3, true)]
    [InlineData("min(error_rate, 2) == 2", 3, true)]
    [InlineData("max(error_rate, 2) == 3", 3, true)]
    [InlineData("MAX(error_rate, 2) == 3", 3, true)]
    [InlineData("--error_rate == 3", 3, true)]
    [InlineData("+error_rate == 3", 3, true)]
    public void Parse_Expressions_EvaluateAsDocumented(string text, double errorRate, bool expected) =>
        Assert.Equal(expected, Eval(text, errorRate));

    [Theory]
    [InlineData("error_rate > 1 AND latency > 1", 2, 2, true)]
    [InlineData("error_rate > 1 and latency > 1", 2, 0, false)]
    [InlineData("error_rate > 1 && latency > 1", 2, 2, true)]
    [InlineData("error_rate > 1 or latency > 1", 0, 2, true)]
    [InlineData("error_rate > 1 OR latency > 1", 0, 0, false)]
    [InlineData("error_rate > 1 || latency > 1", 2, 0, true)]
    [InlineData("not error_rate > 1", 2, 0, false)]
    [InlineData("NOT (error_rate > 1)", 0, 0, true)]
    [InlineData("!(error_rate > 1)", 0, 0, true)]
    [InlineData("!!(error_rate > 1)", 2, 0, true)]
    [InlineData("error_rate > 1 or latency > 1 and latency < 0", 2, 2, true)]
    [InlineData("(error_rate > 1 or latency > 1) and latency < 0", 2, 2, false)]
    [InlineData("not error_rate > 1 and latency > 1", 0, 2, true)]
    public void Parse_Logic_HasUsualPrecedence(string text, double errorRate, double latency, bool expected)
    {
        var values = new double[s_names.Length];
        values[0] = errorRate;
        values[2] = latency;
        Assert.Equal(expected, Parse(text).Evaluate(values, out _, out _));
    }

    [Theory]
    [InlineData("error_rate > 1")]
    [InlineData("error_rate < 1")]
    [InlineData("error_rate >= 1")]
    [InlineData("error_rate <= 1")]
    [InlineData("error_rate == 1")]
    [InlineData("error_rate != 1")]
    [InlineData("1 != error_rate")]
    [InlineData("min(error_rate, 1) < 5")]
    [InlineData("max(1, error_rate) < 5")]
    public void Evaluate_ComparisonWithNaN_IsFalse(string text) => Assert.False(Eval(text, double.NaN));

    [Fact]
    public void Evaluate_IsNaN_DetectsComputedNaN()
    {
        Assert.True(Eval("isnan(error_rate / latency)", 0, 0, 0));
        Assert.False(Eval("isnan(error_rate / latency)", 1, 0, 1));
        Assert.True(Eval("not isnan(error_rate)", 1));
    }

    [Fact]
    public void Parse_DottedAndUnderscoreNames_Resolve()
    {
        var values = new double[] { 0.1, 0.04, 0, 7, 8 };
        Assert.True(Parse("error_rate > baseline.error_rate * 2").Evaluate(values, out var actual, out var threshold));
        Assert.Equal(0.1, actual);
        Assert.Equal(0.08, threshold, 12);
        Assert.True(Parse("_x + b2 == 15").Evaluate(values, out _, out _));
    }

    [Fact]
    public void Parse_ReferencedValues_AreDistinctAndSorted()
    {
        var condition = Parse("latency > 1 and error_rate > baseline.error_rate and latency < 10");
        Assert.Equal([0, 1, 2], condition.ReferencedValues);
    }

    [Fact]
    public void Evaluate_TopComparison_ReportsActualAndThreshold()
    {
        var values = new double[] { 0.3, 0.1, 0, 0, 0 };
        Parse("error_rate > baseline.error_rate * 1.5").Evaluate(values, out var actual, out var threshold);
        Assert.Equal(0.3, actual);
        Assert.Equal(0.15, threshold, 12);

        // and/or: the leftmost comparison; not looks through.
        Parse("error_rate * 100 > 5 and latency < 1").Evaluate(values, out actual, out threshold);
        Assert.Equal(30, actual, 12);
        Assert.Equal(5, threshold);
        Parse("not (baseline.error_rate < 2)").Evaluate(values, out actual, out threshold);
        Assert.Equal(0.1, actual);
        Assert.Equal(2, threshold);
        Parse("isnan(error_rate)").Evaluate(values, out actual, out threshold);
        Assert.True(double.IsNaN(actual));
        Assert.True(double.IsNaN(threshold));
    }

    [Theory]
    [InlineData("eror_rate > 1", "unknown name 'eror_rate' at 1")]
    [InlineData("error_rate > eror", "unknown name 'eror' at 14")]
    [InlineData("(error_rate > 1 and latency < 2", "expected ')' at 32")]
    [InlineData("max(error_rate, 1 2", "expected ')' at 19")]
    [InlineData("max(error_rate, 1 > 2) > 0", "expected a number, not a comparison at 17")]
    [InlineData("max(error_rate) > 2", "expected ',' at 15")]
    [InlineData("abs(error_rate, 2) > 2", "expected ')' at 15")]
    [InlineData("foo(error_rate) > 2", "unknown function 'foo' at 1")]
    [InlineData("error_rate >", "expected a number, name or '(' at 13")]
    [InlineData("error_rate > > 1", "expected a number, name or '(' at 14")]
    [InlineData("error_rate 1", "expected an operator or end of condition at 12")]
    [InlineData("error_rate > 1)", "unexpected ')' at 15")]
    [InlineData("error_rate = 1", "unexpected '=', expected '==' at 12")]
    [InlineData("error_rate > 1 & latency > 1", "unexpected '&', expected '&&' at 16")]
    [InlineData("error_rate > 1 | latency > 1", "unexpected '|', expected '||' at 16")]
    [InlineData("error_rate > 1 # x", "unexpected character '#' at 16")]
    [InlineData("error_rate > 5min", "unknown unit 'min', expected %, ms, s, m or h at 15")]
    [InlineData("error_rate", "expected a comparison at 1")]
    [InlineData("error_rate + 1", "expected a comparison at 1")]
    [InlineData("error_rate and latency > 1", "expected a comparison at 1")]
    [InlineData("latency > 1 and error_rate", "expected a comparison at 17")]
    [InlineData("not error_rate", "expected a comparison at 5")]
    [InlineData("(error_rate > 1) + 1 > 0", "expected a number, not a comparison at 1")]
    [InlineData("0 < error_rate < 1", "comparisons cannot be chained; use 'and' at 16")]
    [InlineData("", "expected a condition at 1")]
    [InlineData("   ", "expected a condition at 1")]
    [InlineData("()", "expected a number, name or '(' at 2")]
    public void Parse_InvalidCondition_ThrowsWithPositionAndExpectation(string text, string message)
    {
        var exception = Assert.Throws<ConditionSyntaxException>(() => Parse(text));
        Assert.Equal(message, exception.Message);
        Assert.True(exception.Position >= 1);
        Assert.EndsWith($" at {exception.Position}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_ThrowsClearErrorInsteadOfOverflow()
    {
        var text = new string('(', 100_000) + "error_rate > 1" + new string(')', 100_000);
        var exception = Assert.Throws<ConditionSyntaxException>(() => Parse(text));
        Assert.Equal($"nesting deeper than {ConditionParser.MaxNesting} levels at {ConditionParser.MaxNesting + 1}", exception.Message);

        var unary = new string('-', 100_000) + "error_rate > 1";
        Assert.Contains("nesting deeper than", Assert.Throws<ConditionSyntaxException>(() => Parse(unary)).Message, StringComparison.Ordinal);
        var nots = string.Concat(Enumerable.Repeat("not ", 100_000)) + "error_rate > 1";
        Assert.Contains("nesting deeper than", Assert.Throws<ConditionSyntaxException>(() => Parse(nots)).Message, StringComparison.Ordinal);
        var calls = string.Concat(Enumerable.Repeat("abs(", 100_000)) + "error_rate" + new string(')', 100_000) + " > 1";
        Assert.Contains("nesting deeper than", Assert.Throws<ConditionSyntaxException>(() => Parse(calls)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingAtTheLimit_Works()
    {
        var depth = ConditionParser.MaxNesting;
        var text = new string('(', depth) + "error_rate > 1" + new string(')', depth);
        Assert.True(Parse(text).Evaluate([2, 0, 0, 0, 0], out _, out _));
    }

    [Fact]
    public void Parse_VeryLongInput_CompilesLinearlyWithSmallStack()
    {
        var builder = new StringBuilder("error_rate");
        for (var i = 0; i < 200_000; i++)
        {
            builder.Append(" + 1");
        }

        builder.Append(" > 199999");
        var condition = Parse(builder.ToString());
        Assert.Equal(2, condition.MaxStackDepth);
        Assert.True(condition.Evaluate([0.5, 0, 0, 0, 0], out var actual, out _));
        Assert.Equal(200_000.5, actual);

        var garbage = new string('x', 1_000_000) + " > 1";
        Assert.StartsWith("unknown name 'xxxx", Assert.Throws<ConditionSyntaxException>(() => Parse(garbage)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RandomGarbage_NeverHangsOrCrashes()
    {
        var random = new Random(12345);
        const string alphabet = "error_ate.baselin()+-*/<>=!&|,% 0123456789msh \t\n#\"'AND or NOT isnan abs min max\0\u00e9\ud83d";
        string[] pieces = ["error_rate", "baseline.error_rate", "latency", "(", ")", " and ", " or ", "not ", ">", ">=", "<", "==", "!=", "+", "-", "*", "/", "abs(", "min(", "max(", "isnan(", ",", "5%", "1.5", "250ms", "2m", "1e3", " "];
        var parsed = 0;
        for (var i = 0; i < 5000; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 60);
            for (var j = 0; j < length; j++)
            {
                builder.Append(i % 2 == 0 ? alphabet[random.Next(alphabet.Length)].ToString() : pieces[random.Next(pieces.Length)]);
            }

            var text = builder.ToString();
            try
            {
                var condition = Parse(text);
                condition.Evaluate([random.NextDouble(), random.NextDouble(), double.NaN, 0, 1], out _, out _);
                parsed++;
            }
            catch (ConditionSyntaxException e)
            {
                Assert.InRange(e.Position, 1, text.Length + 1);
                Assert.False(string.IsNullOrEmpty(e.Detail));
            }
        }

        // Some random token soups are valid conditions; most are not.
        Assert.InRange(parsed, 1, 4999);
    }

    [Theory]
    [InlineData("error_rate", true)]
    [InlineData("baseline.error_rate", true)]
    [InlineData("_x1", true)]
    [InlineData("1abc", false)]
    [InlineData("a-b", false)]
    [InlineData("", false)]
    [InlineData("and", false)]
    [InlineData("Or", false)]
    [InlineData("max", false)]
    public void IsValidName_ChecksNameSyntax(string name, bool valid) => Assert.Equal(valid, ConditionParser.IsValidName(name));
}
