using CsCheck;
using RollbackKit.Conditions;

namespace RollbackKit.Tests.Conditions;

/// <summary>
/// Whatever text a user writes as a condition, the parser either compiles it or throws a
/// <see cref="ConditionSyntaxException"/> whose position lies inside the text; a compiled condition evaluates without
/// throwing on any values, NaN and infinities included.
/// </summary>
public sealed class ConditionParserPropertyTests
{
    private static readonly string[] s_names = ["canary_error_rate", "baseline_error_rate", "success_rate", "p99"];

    private static readonly string[] s_tokens =
    [
        "canary_error_rate", "baseline_error_rate", "success_rate", "p99", "unknown_name", "1.5", "0", "95%", "1e3", "-2",
        ">", ">=", "<", "<=", "==", "!=", "+", "-", "*", "/", "(", ")", "and", "or", "not", "abs(", "min(", "max(", ",",
        "&&", "||", "!", "%", ".", "e", "  ", "\t", "\u00e9", "\"", "'", "{{", "}}", "NaN", "inf",
    ];

    private static readonly Gen<string> s_tokenText =
        Gen.Int[0, s_tokens.Length - 1].Array[0, 24].Select(indexes => string.Join(" ", indexes.Select(i => s_tokens[i])));

    private static readonly Gen<string> s_anyText = Gen.Char.Array[0, 64].Select(chars => new string(chars));

    private static readonly double[] s_values = [0, 1, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.Epsilon];

    private static void ParsesOrExplains(string text)
    {
        CompiledCondition compiled;
        try
        {
            compiled = ConditionParser.Parse(text, name => Array.IndexOf(s_names, name));
        }
        catch (ConditionSyntaxException ex)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            Assert.InRange(ex.Position, 1, Math.Max(1, text.Length + 1));
            return;
        }

        foreach (var value in s_values)
        {
            var values = new double[s_names.Length];
            Array.Fill(values, value);
            _ = compiled.Evaluate(values, out _, out _);
        }
    }

    [Fact]
    public void Parse_TextsMadeOfConditionTokens_CompileOrThrowSyntaxErrorWithPosition() =>
        s_tokenText.Sample(ParsesOrExplains, iter: 3000);

    [Fact]
    public void Parse_ArbitraryCharacters_CompileOrThrowSyntaxErrorWithPosition() =>
        s_anyText.Sample(ParsesOrExplains, iter: 3000);
}
