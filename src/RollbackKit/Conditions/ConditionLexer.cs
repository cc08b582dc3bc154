using System.Globalization;

namespace RollbackKit.Conditions;

/// <summary>
/// Splits a condition into tokens, one at a time: numbers (with their unit applied), names, keywords, operators and
/// punctuation. Errors are <see cref="ConditionSyntaxException"/>s with a 1-based position.
/// </summary>
internal sealed class ConditionLexer(string text)
{
    private readonly string _text = text;

    /// <summary>The current token's kind.</summary>
    public ConditionTokenKind Kind { get; private set; }

    /// <summary>Index of the current token's first character.</summary>
    public int Start { get; private set; }

    /// <summary>Index just past the current token.</summary>
    public int End { get; private set; }

    /// <summary>The current number token's value, units applied.</summary>
    public double Number { get; private set; }

    /// <summary>Whether <paramref name="c"/> may appear in a name after its first character.</summary>
    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.';

    private ConditionSyntaxException Error(string message) => new(message, Start + 1);

    /// <summary>Reads the next token.</summary>
    public void Next()
    {
        var text = _text;
        var i = End;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        Start = i;
        if (i >= text.Length)
        {
            Kind = ConditionTokenKind.End;
            End = i;
            return;
        }

        var c = text[i];
        if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
        {
            LexNumber(i);
            return;
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            var j = i + 1;
            while (j < text.Length && IsNameChar(text[j]))
            {
                j++;
            }

            End = j;
            var word = text.AsSpan(i, j - i);
            Kind = word.Equals("and", StringComparison.OrdinalIgnoreCase) ? ConditionTokenKind.And
                : word.Equals("or", StringComparison.OrdinalIgnoreCase) ? ConditionTokenKind.Or
                : word.Equals("not", StringComparison.OrdinalIgnoreCase) ? ConditionTokenKind.Not
                : ConditionTokenKind.Name;
            return;
        }

        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        (Kind, var length) = c switch
        {
            '(' => (ConditionTokenKind.LeftParen, 1),
            ')' => (ConditionTokenKind.RightParen, 1),
            ',' => (ConditionTokenKind.Comma, 1),
            '+' => (ConditionTokenKind.Plus, 1),
            '-' => (ConditionTokenKind.Minus, 1),
            '*' => (ConditionTokenKind.Star, 1),
            '/' => (ConditionTokenKind.Slash, 1),
            '>' when next == '=' => (ConditionTokenKind.GreaterOrEqual, 2),
            '>' => (ConditionTokenKind.Greater, 1),
            '<' when next == '=' => (ConditionTokenKind.LessOrEqual, 2),
            '<' => (ConditionTokenKind.Less, 1),
            '=' when next == '=' => (ConditionTokenKind.Equal, 2),
            '!' when next == '=' => (ConditionTokenKind.NotEqual, 2),
            '!' => (ConditionTokenKind.Not, 1),
            '&' when next == '&' => (ConditionTokenKind.And, 2),
            '|' when next == '|' => (ConditionTokenKind.Or, 2),
            '=' => throw Error("unexpected '=', expected '=='"),
            '&' => throw Error("unexpected '&', expected '&&'"),
            '|' => throw Error("unexpected '|', expected '||'"),
            _ => throw Error($"unexpected character {Describe(c)}"),
        };
        End = i + length;
    }

    private void LexNumber(int i)
    {
        var text = _text;
        var j = i;
        while (j < text.Length && char.IsAsciiDigit(text[j]))
        {
            j++;
        }

        if (j < text.Length && text[j] == '.')
        {
            j++;
            while (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                j++;
            }
        }

        // Exponent only when digits follow, so "5m" stays a unit.
        if (j < text.Length && (text[j] is 'e' or 'E'))
        {
            var k = j + 1;
            if (k < text.Length && text[k] is '+' or '-')
            {
                k++;
            }

            if (k < text.Length && char.IsAsciiDigit(text[k]))
            {
                j = k;
                while (j < text.Length && char.IsAsciiDigit(text[j]))
                {
                    j++;
                }
            }
        }

        var value = double.Parse(text.AsSpan(i, j - i), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
        if (j < text.Length && text[j] == '%')
        {
            value /= 100;
            j++;
        }
        else if (j < text.Length && IsNameChar(text[j]))
        {
            var unitStart = j;
            while (j < text.Length && IsNameChar(text[j]))
            {
                j++;
            }

            var unit = text.AsSpan(unitStart, j - unitStart);
            value = unit switch
            {
                "ms" => value / 1000,
                "s" => value,
                "m" => value * 60,
                "h" => value * 3600,
                _ => throw new ConditionSyntaxException($"unknown unit '{unit}', expected %, ms, s, m or h", unitStart + 1),
            };
        }

        Kind = ConditionTokenKind.Number;
        Number = value;
        End = j;
    }

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
            ? $"U+{(int)c:X4}"
            : $"'{c}'";
}

/// <summary>The kinds of token of the condition language.</summary>
internal enum ConditionTokenKind
{
    End,
    Number,
    Name,
    LeftParen,
    RightParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
    Not,
}
