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
    private readonly ConditionLexer _lexer;
    private readonly List<ConditionInstruction> _program = [];
    private int _depth;
    private int _maxDepth;
    private int _nesting;

    private ConditionParser(string text, Func<string, int> resolve)
    {
        _text = text;
        _resolve = resolve;
        _lexer = new ConditionLexer(text);
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
            if (!ConditionLexer.IsNameChar(c))
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
        parser._lexer.Next();
        var start = parser._lexer.Start;
        var (type, top) = parser.ParseOr();
        if (parser._lexer.Kind != ConditionTokenKind.End)
        {
            throw parser.Error(parser._lexer.Kind == ConditionTokenKind.RightParen ? "unexpected ')'" : "expected an operator or end of condition");
        }

        if (type != ExpressionType.Boolean)
        {
            throw new ConditionSyntaxException("expected a comparison", start + 1);
        }

        return new CompiledCondition(text, [.. parser._program], parser._maxDepth, top);
    }

    private ConditionSyntaxException Error(string message) => new(message, _lexer.Start + 1);

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
        var start = _lexer.Start;
        var (type, top) = ParseAnd();
        while (_lexer.Kind == ConditionTokenKind.Or)
        {
            RequireBoolean(type, start);
            _lexer.Next();
            var rightStart = _lexer.Start;
            var (right, _) = ParseAnd();
            RequireBoolean(right, rightStart);
            Emit(ConditionOpCode.Or);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseAnd()
    {
        var start = _lexer.Start;
        var (type, top) = ParseNot();
        while (_lexer.Kind == ConditionTokenKind.And)
        {
            RequireBoolean(type, start);
            _lexer.Next();
            var rightStart = _lexer.Start;
            var (right, _) = ParseNot();
            RequireBoolean(right, rightStart);
            Emit(ConditionOpCode.And);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseNot()
    {
        if (_lexer.Kind != ConditionTokenKind.Not)
        {
            return ParseComparison();
        }

        Enter();
        _lexer.Next();
        var start = _lexer.Start;
        var (type, top) = ParseNot();
        RequireBoolean(type, start);
        Emit(ConditionOpCode.Not);
        Leave();
        return (ExpressionType.Boolean, top);
    }

    private (ExpressionType Type, int Top) ParseComparison()
    {
        var start = _lexer.Start;
        var (type, top) = ParseAdditive();
        var op = _lexer.Kind switch
        {
            ConditionTokenKind.Greater => ConditionOpCode.Gt,
            ConditionTokenKind.GreaterOrEqual => ConditionOpCode.Ge,
            ConditionTokenKind.Less => ConditionOpCode.Lt,
            ConditionTokenKind.LessOrEqual => ConditionOpCode.Le,
            ConditionTokenKind.Equal => ConditionOpCode.Eq,
            ConditionTokenKind.NotEqual => ConditionOpCode.Ne,
            _ => ConditionOpCode.Const,
        };
        if (op == ConditionOpCode.Const)
        {
            return (type, top);
        }

        RequireNumber(type, start);
        _lexer.Next();
        var rightStart = _lexer.Start;
        var (right, _) = ParseAdditive();
        RequireNumber(right, rightStart);
        var index = _program.Count;
        Emit(op);
        if (_lexer.Kind is ConditionTokenKind.Greater or ConditionTokenKind.GreaterOrEqual or ConditionTokenKind.Less or ConditionTokenKind.LessOrEqual or ConditionTokenKind.Equal or ConditionTokenKind.NotEqual)
        {
            throw Error("comparisons cannot be chained; use 'and'");
        }

        return (ExpressionType.Boolean, index);
    }

    private (ExpressionType Type, int Top) ParseAdditive()
    {
        var start = _lexer.Start;
        var (type, top) = ParseMultiplicative();
        while (_lexer.Kind is ConditionTokenKind.Plus or ConditionTokenKind.Minus)
        {
            var op = _lexer.Kind == ConditionTokenKind.Plus ? ConditionOpCode.Add : ConditionOpCode.Sub;
            RequireNumber(type, start);
            _lexer.Next();
            var rightStart = _lexer.Start;
            var (right, _) = ParseMultiplicative();
            RequireNumber(right, rightStart);
            Emit(op);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseMultiplicative()
    {
        var start = _lexer.Start;
        var (type, top) = ParseUnary();
        while (_lexer.Kind is ConditionTokenKind.Star or ConditionTokenKind.Slash)
        {
            var op = _lexer.Kind == ConditionTokenKind.Star ? ConditionOpCode.Mul : ConditionOpCode.Div;
            RequireNumber(type, start);
            _lexer.Next();
            var rightStart = _lexer.Start;
            var (right, _) = ParseUnary();
            RequireNumber(right, rightStart);
            Emit(op);
        }

        return (type, top);
    }

    private (ExpressionType Type, int Top) ParseUnary()
    {
        if (_lexer.Kind is not (ConditionTokenKind.Minus or ConditionTokenKind.Plus))
        {
            return ParsePrimary();
        }

        var negate = _lexer.Kind == ConditionTokenKind.Minus;
        Enter();
        _lexer.Next();
        var start = _lexer.Start;
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
        switch (_lexer.Kind)
        {
            case ConditionTokenKind.Number:
                Emit(ConditionOpCode.Const, constant: _lexer.Number);
                _lexer.Next();
                return (ExpressionType.Number, -1);
            case ConditionTokenKind.LeftParen:
            {
                Enter();
                _lexer.Next();
                var result = ParseOr();
                Expect(ConditionTokenKind.RightParen, "')'");
                Leave();
                return result;
            }

            case ConditionTokenKind.Name:
                return ParseName();
            default:
                throw Error("expected a number, name or '('");
        }
    }

    private (ExpressionType Type, int Top) ParseName()
    {
        var name = _text[_lexer.Start.._lexer.End];
        var namePosition = _lexer.Start;
        _lexer.Next();
        if (_lexer.Kind != ConditionTokenKind.LeftParen)
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
        _lexer.Next();
        for (var argument = 0; argument < arity; argument++)
        {
            if (argument > 0)
            {
                Expect(ConditionTokenKind.Comma, "','");
            }

            var start = _lexer.Start;
            var (type, _) = ParseOr();
            RequireNumber(type, start);
        }

        Expect(ConditionTokenKind.RightParen, "')'");
        Emit(op);
        Leave();
        return (op == ConditionOpCode.IsNaN ? ExpressionType.Boolean : ExpressionType.Number, -1);
    }

    private void Expect(ConditionTokenKind kind, string display)
    {
        if (_lexer.Kind != kind)
        {
            throw Error($"expected {display}");
        }

        _lexer.Next();
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
}
