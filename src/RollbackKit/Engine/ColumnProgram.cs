using RollbackKit.Conditions;

namespace RollbackKit.Engine;

/// <summary>A column operand: a column (value or scratch) or a constant.</summary>
internal readonly record struct ColumnOperand(double[]? Column, double Constant)
{
    public bool IsConstant => Column is null;

    public static ColumnOperand Of(double[] column) => new(column, 0);

    public static ColumnOperand Of(double constant) => new(null, constant);
}

/// <summary>One operation over every target: <c>Destination = Op(A, B)</c>.</summary>
internal readonly record struct ColumnOperation(ConditionOpCode OpCode, ColumnOperand A, ColumnOperand B, double[] Destination);

/// <summary>
/// A <see cref="CompiledCondition"/> lowered onto columns: each postfix instruction runs across all targets at once
/// over a preallocated scratch stack of columns. Loads and constants are not copied (operations read value columns
/// directly); constant sub-expressions are folded. The top comparison's operands are captured into their own
/// columns when they would otherwise be overwritten.
/// </summary>
internal sealed class ColumnProgram
{
    private readonly ColumnOperation[] _operations;
    private readonly int _count;

    /// <summary>Lowers <paramref name="condition"/>.</summary>
    /// <param name="condition">The compiled condition.</param>
    /// <param name="values">Value columns by value index, each of <paramref name="count"/> items.</param>
    /// <param name="scratch">At least <see cref="CompiledCondition.MaxStackDepth"/> scratch columns.</param>
    /// <param name="count">Number of targets.</param>
    public ColumnProgram(CompiledCondition condition, IReadOnlyList<double[]> values, IReadOnlyList<double[]> scratch, int count)
    {
        _count = count;
        var operations = new List<ColumnOperation>();
        var stack = new ColumnOperand[Math.Max(1, condition.MaxStackDepth)];
        var sp = 0;
        var instructions = condition.Instructions;
        Actual = NaNColumn(count);
        Threshold = Actual;
        for (var i = 0; i < instructions.Length; i++)
        {
            var instruction = instructions[i];
            switch (instruction.OpCode)
            {
                case ConditionOpCode.Const:
                    stack[sp++] = ColumnOperand.Of(instruction.Constant);
                    break;
                case ConditionOpCode.Load:
                    stack[sp++] = ColumnOperand.Of(values[instruction.ValueIndex]);
                    break;
                case var op when ScalarOps.IsUnary(op):
                {
                    var a = stack[sp - 1];
                    if (a.IsConstant)
                    {
                        stack[sp - 1] = ColumnOperand.Of(ScalarOps.Unary(op, a.Constant));
                    }
                    else
                    {
                        var destination = scratch[sp - 1];
                        operations.Add(new ColumnOperation(op, a, default, destination));
                        stack[sp - 1] = ColumnOperand.Of(destination);
                    }

                    break;
                }

                default:
                {
                    var op = instruction.OpCode;
                    var b = stack[--sp];
                    var a = stack[sp - 1];
                    if (i == condition.TopComparison)
                    {
                        Actual = Capture(a, operations, scratch, count);
                        Threshold = Capture(b, operations, scratch, count);
                    }

                    if (a.IsConstant && b.IsConstant)
                    {
                        stack[sp - 1] = ColumnOperand.Of(ScalarOps.Binary(op, a.Constant, b.Constant));
                    }
                    else
                    {
                        var destination = scratch[sp - 1];
                        operations.Add(new ColumnOperation(op, a, b, destination));
                        stack[sp - 1] = ColumnOperand.Of(destination);
                    }

                    break;
                }
            }
        }

        var result = stack[0];
        Result = result.IsConstant ? Filled(count, result.Constant) : result.Column!;
        _operations = [.. operations];
    }

    /// <summary>The result column after <see cref="Run"/>: 1 where the condition holds, else 0.</summary>
    public double[] Result { get; }

    /// <summary>The top comparison's left side per target after <see cref="Run"/> (NaN when there is none).</summary>
    public double[] Actual { get; }

    /// <summary>The top comparison's right side per target after <see cref="Run"/> (NaN when there is none).</summary>
    public double[] Threshold { get; }

    /// <summary>Number of column operations per run.</summary>
    public int OperationCount => _operations.Length;

    /// <summary>Runs every operation across all targets. Allocates nothing.</summary>
    public void Run()
    {
        var n = _count;
        foreach (var operation in _operations)
        {
            var destination = operation.Destination.AsSpan(0, n);
            var a = operation.A;
            var b = operation.B;
            if (ScalarOps.IsUnary(operation.OpCode))
            {
                ColumnKernels.Unary(operation.OpCode, a.Column.AsSpan(0, n), destination);
            }
            else if (a.IsConstant)
            {
                ColumnKernels.BinaryConstLeft(operation.OpCode, a.Constant, b.Column.AsSpan(0, n), destination);
            }
            else if (b.IsConstant)
            {
                ColumnKernels.BinaryConstRight(operation.OpCode, a.Column.AsSpan(0, n), b.Constant, destination);
            }
            else
            {
                ColumnKernels.Binary(operation.OpCode, a.Column.AsSpan(0, n), b.Column.AsSpan(0, n), destination);
            }
        }
    }

    private static double[] Capture(ColumnOperand operand, List<ColumnOperation> operations, IReadOnlyList<double[]> scratch, int count)
    {
        if (operand.IsConstant)
        {
            return Filled(count, operand.Constant);
        }

        var isScratch = false;
        foreach (var column in scratch)
        {
            isScratch |= ReferenceEquals(column, operand.Column);
        }

        if (!isScratch)
        {
            return operand.Column!;
        }

        // Scratch columns are reused by later operations, so copy; value columns are stable during a tick.
        var copy = new double[count];
        operations.Add(new ColumnOperation(ConditionOpCode.Copy, operand, default, copy));
        return copy;
    }

    private static double[] Filled(int count, double value)
    {
        var column = new double[count];
        Array.Fill(column, value);
        return column;
    }

    private static double[] NaNColumn(int count) => Filled(count, double.NaN);
}
