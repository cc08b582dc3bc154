namespace RollbackKit.Conditions;

/// <summary>
/// A condition parsed once into a flat postfix program over a stack of doubles. Booleans are 1 and 0; a comparison
/// involving NaN is false (so <c>!=</c> is false too); arithmetic propagates NaN; <c>min</c>/<c>max</c> of NaN is NaN.
/// </summary>
internal sealed class CompiledCondition
{
    private readonly ConditionInstruction[] _instructions;
    private readonly int[] _referencedValues;

    internal CompiledCondition(string text, ConditionInstruction[] instructions, int maxStackDepth, int topComparison)
    {
        Text = text;
        _instructions = instructions;
        MaxStackDepth = maxStackDepth;
        TopComparison = topComparison;
        var referenced = new SortedSet<int>();
        foreach (var instruction in instructions)
        {
            if (instruction.OpCode == ConditionOpCode.Load)
            {
                referenced.Add(instruction.ValueIndex);
            }
        }

        _referencedValues = [.. referenced];
    }

    /// <summary>The condition text.</summary>
    public string Text { get; }

    /// <summary>The postfix program.</summary>
    public ReadOnlySpan<ConditionInstruction> Instructions => _instructions;

    /// <summary>Distinct value indexes the condition reads, ascending.</summary>
    public IReadOnlyList<int> ReferencedValues => _referencedValues;

    /// <summary>Stack slots needed to evaluate.</summary>
    public int MaxStackDepth { get; }

    /// <summary>
    /// Index in <see cref="Instructions"/> of the top comparison (whose left side is the actual value and right side
    /// the threshold), or -1. For <c>and</c>/<c>or</c> it is the leftmost operand's; <c>not</c> looks through.
    /// </summary>
    public int TopComparison { get; }

    /// <summary>Evaluates the condition for one set of values. Allocates nothing.</summary>
    /// <param name="values">Values by index.</param>
    /// <param name="actual">The top comparison's left side, or NaN.</param>
    /// <param name="threshold">The top comparison's right side, or NaN.</param>
    /// <returns>True when the condition holds.</returns>
    public bool Evaluate(ReadOnlySpan<double> values, out double actual, out double threshold)
    {
        Span<double> stack = MaxStackDepth <= 64 ? stackalloc double[64] : new double[MaxStackDepth];
        return Evaluate(values, stack, out actual, out threshold);
    }

    /// <summary>Evaluates the condition with caller-provided stack memory of at least <see cref="MaxStackDepth"/>.</summary>
    public bool Evaluate(ReadOnlySpan<double> values, Span<double> stack, out double actual, out double threshold)
    {
        actual = double.NaN;
        threshold = double.NaN;
        var sp = 0;
        var instructions = _instructions;
        for (var i = 0; i < instructions.Length; i++)
        {
            var instruction = instructions[i];
            switch (instruction.OpCode)
            {
                case ConditionOpCode.Const:
                    stack[sp++] = instruction.Constant;
                    break;
                case ConditionOpCode.Load:
                    stack[sp++] = values[instruction.ValueIndex];
                    break;
                case var op when ScalarOps.IsUnary(op):
                    stack[sp - 1] = ScalarOps.Unary(op, stack[sp - 1]);
                    break;
                default:
                    var b = stack[--sp];
                    var a = stack[sp - 1];
                    if (i == TopComparison)
                    {
                        actual = a;
                        threshold = b;
                    }

                    stack[sp - 1] = ScalarOps.Binary(instruction.OpCode, a, b);
                    break;
            }
        }

        return stack[0] != 0;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
