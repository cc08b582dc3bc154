using System.Globalization;

namespace RollbackKit.Conditions;

/// <summary>
/// Parses RollbackKit's condition language into a <see cref="CompiledCondition"/>.
/// <para>
/// Grammar (lowest precedence first): <c>or</c> (<c>||</c>), <c>and</c> (<c>&amp;&amp;</c>), <c>not</c> (<c>!</c>),
/// one comparison (<c>&gt; &gt;= &lt; &lt;= == !=</c>), <c>+ -</c>, <c>* /</c>, unary <c>-</c>, then numbers (with an
/// optional unit: <c>%</c> = /100, <c>ms</c> = /1000, <c>s</c>, <c>m</c> = ×60, <c>h</c> = ×3600; time units yield
/// seconds), names (a letter or <c>_</c>, then letters, digits, <c>_</c> and <c>.</c>), function calls
/// (<c>abs(x)</c>, <c>min(x, y)</c>, <c>max(x, y)</c>, <c>isnan(x)</c>) and parentheses. Keywords are
/// case-insensitive. <c>and</c>, <c>or</c> and <c>not</c> take comparisons; arithmetic and comparisons take numbers.
/// </para>
/// Parsing is iterative except for nesting, which is limited to <see cref="MaxNesting"/> levels, so no input can
/// overflow the stack; every error is a <see cref="ConditionSyntaxException"/> with a 1-based position.
/// </summary>
internal sealed class ConditionParser
{
    /// <summary>The maximum nesting of parentheses, function calls, unary operators and <c>not</c>.</summary>
    public const int MaxNesting = 100;

    private static readonly string[] s_functions = ["abs", "min", "max", "isnan"];

    private readonly string _text;
    private readonly Func<string, int> _resolve;
    private readonly List<ConditionInstruction> _program = [];
    private int _depth;
    private int _maxDepth;
    private int _nesting;

    // Current token.
    private TokenKind _kind;
    private int _start;
    private int _end;
    private double _number;

    private ConditionParser(string text, Func<string, int> resolve)
    {
        _text = text;
        _resolve = resolve;
    }

    private enum TokenKind
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

    private enum ExpressionType
    {
        Number,
        Boolean,
    }

    /// <summary>Whether <paramref name="name"/> is a valid value name (and not a keyword or function name).</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return !IsReserved(name);
    }

    /// <summary>Whether <paramref name="name"/> is a keyword or function name.</summary>
    public static bool IsReserved(string name) =>
        name.Equals("and", StringComparison.OrdinalIgnoreCase)
        || name.Equals("or", StringComparison.OrdinalIgnoreCase)
        || name.Equals("not", StringComparison.OrdinalIgnoreCase)
        || Array.Exists(s_functions, f => f.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses and compiles a condition.</summary>
    /// <param name="text">The condition.</param>
    /// <param name="resolve">Maps a name to its value index, or -1 when unknown.</param>
    /// <exception cref="ConditionSyntaxException">The condition is invalid.</exception>
    public static CompiledCondition Parse(string text, Func<string, int> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ConditionSyntaxException("expected a condition", 1);
        }

        var parser = new ConditionParser(text, resolve);
        parser.Next();
        var start = parser._start;
        var (type, top) = parser.ParseOr();
        if (parser._kind != TokenKind.End)
        {
            throw parser.Error(parser._kind == TokenKind.RightParen ? "unexpected ')'" : "expected an operator or end of condition");
        }

        if (type != ExpressionType.Boolean)
        {
            throw new ConditionSyntaxException("expected a comparison", start + 1);
        }

        return new CompiledCondition(text, [.. parser._program], parser._maxDepth, top);
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.';

    private ConditionSyntaxException Error(string message) => new(message, _start + 1);

    private void Emit(ConditionOpCode op, int valueIndex = -1, double constant = 0)
    {
        _program.Add(new ConditionInstruction(op, valueIndex, constant));
        switch (op)
        {
            case ConditionOpCode.Const or ConditionOpCode.Load:
                _depth++;
                _maxDepth = Math.Max(_maxDepth, _depth);
                break;
            case var unary when ScalarOps.IsUnary(unary):
                break;
            default:
                _depth--;
                break;
        }
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting)
        {
            throw Error($"nesting deeper than {MaxNesting} levels");
        }
    }

    private void Leave() => _nesting--;

    private (ExpressionType Type, int Top) ParseOr()
    {
        var start = _start;
        var (type, top) = ParseAnd();
        while (_kind == TokenKind.Or)
        {
            RequireBoolean(type, start);
            Next();
            var rightStart = _start;
            var (right, _) = ParseAnd();
            RequireBoolean(right, rightStart);
            Emit(ConditionOpCode.Or);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseAnd()
    {
        var start = _start;
        var (type, top) = ParseNot();
        while (_kind == TokenKind.And)
        {
            RequireBoolean(type, start);
            Next();
            var rightStart = _start;
            var (right, _) = ParseNot();
            RequireBoolean(right, rightStart);
            Emit(ConditionOpCode.And);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseNot()
    {
        if (_kind != TokenKind.Not)
        {
            return ParseComparison();
        }

        Enter();
        Next();
        var start = _start;
        var (type, top) = ParseNot();
        RequireBoolean(type, start);
        Emit(ConditionOpCode.Not);
        Leave();
        return (ExpressionType.Boolean, top);
    }

    private (ExpressionType Type, int Top) ParseComparison()
    {
        var start = _start;
        var (type, top) = ParseAdditive();
        var op = _kind switch
        {
            TokenKind.Greater => ConditionOpCode.Gt,
            TokenKind.GreaterOrEqual => ConditionOpCode.Ge,
            TokenKind.Less => ConditionOpCode.Lt,
            TokenKind.LessOrEqual => ConditionOpCode.Le,
            TokenKind.Equal => ConditionOpCode.Eq,
            TokenKind.NotEqual => ConditionOpCode.Ne,
            _ => ConditionOpCode.Const,
        };
        if (op == ConditionOpCode.Const)
        {
            return (type, top);
        }

        RequireNumber(type, start);
        Next();
        var rightStart = _start;
        var (right, _) = ParseAdditive();
        RequireNumber(right, rightStart);
        var index = _program.Count;
        Emit(op);
        if (_kind is TokenKind.Greater or TokenKind.GreaterOrEqual or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Equal or TokenKind.NotEqual)
        {
            throw Error("comparisons cannot be chained; use 'and'");
        }

        return (ExpressionType.Boolean, index);
    }

    private (ExpressionType Type, int Top) ParseAdditive()
    {
        var start = _start;
        var (type, top) = ParseMultiplicative();
        while (_kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = _kind == TokenKind.Plus ? ConditionOpCode.Add : ConditionOpCode.Sub;
            RequireNumber(type, start);
            Next();
            var rightStart = _start;
            var (right, _) = ParseMultiplicative();
            RequireNumber(right, rightStart);
            Emit(op);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseMultiplicative()
    {
        var start = _start;
        var (type, top) = ParseUnary();
        while (_kind is TokenKind.Star or TokenKind.Slash)
        {
            var op = _kind == TokenKind.Star ? ConditionOpCode.Mul : ConditionOpCode.Div;
            RequireNumber(type, start);
            Next();
            var rightStart = _start;
            var (right, _) = ParseUnary();
            RequireNumber(right, rightStart);
            Emit(op);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseUnary()
    {
        if (_kind is not (TokenKind.Minus or TokenKind.Plus))
        {
            return ParsePrimary();
        }

        var negate = _kind == TokenKind.Minus;
        Enter();
        Next();
        var start = _start;
        var (type, _) = ParseUnary();
        RequireNumber(type, start);
        if (negate)
        {
            Emit(ConditionOpCode.Neg);
        }

        Leave();
        return (ExpressionType.Number, -1);
    }

    private (ExpressionType Type, int Top) ParsePrimary()
    {
        switch (_kind)
        {
            case TokenKind.Number:
                Emit(ConditionOpCode.Const, constant: _number);
                Next();
                return (ExpressionType.Number, -1);
            case TokenKind.LeftParen:
            {
                Enter();
                Next();
                var result = ParseOr();
                Expect(TokenKind.RightParen, "')'");
                Leave();
                return result;
            }

            case TokenKind.Name:
                return ParseName();
            default:
                throw Error("expected a number, name or '('");
        }
    }

    private (ExpressionType Type, int Top) ParseName()
    {
        var name = _text[_start.._end];
        var namePosition = _start;
        Next();
        if (_kind != TokenKind.LeftParen)
        {
            var index = _resolve(name);
            if (index < 0)
            {
                throw new ConditionSyntaxException($"unknown name '{name}'", namePosition + 1);
            }

            Emit(ConditionOpCode.Load, valueIndex: index);
            return (ExpressionType.Number, -1);
        }

        var function = name.ToLowerInvariant();
        var (op, arity) = function switch
        {
            "abs" => (ConditionOpCode.Abs, 1),
            "isnan" => (ConditionOpCode.IsNaN, 1),
            "min" => (ConditionOpCode.Min, 2),
            "max" => (ConditionOpCode.Max, 2),
            _ => throw new ConditionSyntaxException($"unknown function '{name}'", namePosition + 1),
        };
        Enter();
        Next();
        for (var argument = 0; argument < arity; argument++)
        {
            if (argument > 0)
            {
                Expect(TokenKind.Comma, "','");
            }

            var start = _start;
            var (type, _) = ParseOr();
            RequireNumber(type, start);
        }

        Expect(TokenKind.RightParen, "')'");
        Emit(op);
        Leave();
        return (op == ConditionOpCode.IsNaN ? ExpressionType.Boolean : ExpressionType.Number, -1);
    }

    private void Expect(TokenKind kind, string display)
    {
        if (_kind != kind)
        {
            throw Error($"expected {display}");
        }

        Next();
    }

    private static void RequireBoolean(ExpressionType type, int start)
    {
        if (type != ExpressionType.Boolean)
        {
            throw new ConditionSyntaxException("expected a comparison", start + 1);
        }
    }

    private static void RequireNumber(ExpressionType type, int start)
    {
        if (type != ExpressionType.Number)
        {
            throw new ConditionSyntaxException("expected a number, not a comparison", start + 1);
        }
    }

    private void Next()
    {
        var text = _text;
        var i = _end;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        _start = i;
        if (i >= text.Length)
        {
            _kind = TokenKind.End;
            _end = i;
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

            _end = j;
            var word = text.AsSpan(i, j - i);
            _kind = word.Equals("and", StringComparison.OrdinalIgnoreCase) ? TokenKind.And
                : word.Equals("or", StringComparison.OrdinalIgnoreCase) ? TokenKind.Or
                : word.Equals("not", StringComparison.OrdinalIgnoreCase) ? TokenKind.Not
                : TokenKind.Name;
            return;
        }

        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        (_kind, var length) = c switch
        {
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            ',' => (TokenKind.Comma, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
            '>' => (TokenKind.Greater, 1),
            '<' when next == '=' => (TokenKind.LessOrEqual, 2),
            '<' => (TokenKind.Less, 1),
            '=' when next == '=' => (TokenKind.Equal, 2),
            '!' when next == '=' => (TokenKind.NotEqual, 2),
            '!' => (TokenKind.Not, 1),
            '&' when next == '&' => (TokenKind.And, 2),
            '|' when next == '|' => (TokenKind.Or, 2),
            '=' => throw Error("unexpected '=', expected '=='"),
            '&' => throw Error("unexpected '&', expected '&&'"),
            '|' => throw Error("unexpected '|', expected '||'"),
            _ => throw Error($"unexpected character {Describe(c)}"),
        };
        _end = i + length;
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

        _kind = TokenKind.Number;
        _number = value;
        _end = j;
    }

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
            ? $"U+{(int)c:X4}"
            : $"'{c}'";
}
