using System.Numerics;
using RollbackKit.Conditions;

namespace RollbackKit.Engine.Internal;

/// <summary>A column operand: a column (value or scratch) or a constant.</summary>
internal readonly record struct ColumnOperand(double[]? Column, double Constant)
{
    public bool IsConstant => Column is null;

    public static ColumnOperand Of(double[] column) => new(column, 0);

    public static ColumnOperand Of(double constant) => new(null, constant);
}

/// <summary>How a <see cref="ColumnOperation"/> reads its operands.</summary>
internal enum OperandShape : byte
{
    /// <summary>One column.</summary>
    Unary,

    /// <summary>Two columns.</summary>
    ColumnColumn,

    /// <summary>A constant and a column.</summary>
    ConstantColumn,

    /// <summary>A column and a constant.</summary>
    ColumnConstant,
}

/// <summary>One operation over every target: <c>Destination = Op(A, B)</c>.</summary>
internal readonly record struct ColumnOperation(ConditionOpCode OpCode, OperandShape Shape, ColumnOperand A, ColumnOperand B, double[] Destination);

/// <summary>
/// A <see cref="CompiledCondition"/> lowered onto columns: each postfix instruction runs across a range of targets at
/// once over a preallocated scratch stack of columns. Loads and constants are not copied (operations read value
/// columns directly); constant sub-expressions are folded. The top comparison's operands are computed straight into
/// their own columns so a verdict can report them.
/// </summary>
internal sealed class ColumnProgram
{
    private readonly ColumnOperation[] _operations;

    /// <summary>Lowers <paramref name="condition"/>.</summary>
    /// <param name="condition">The compiled condition.</param>
    /// <param name="values">Value columns by value index, each of <paramref name="count"/> items.</param>
    /// <param name="scratch">At least <see cref="CompiledCondition.MaxStackDepth"/> scratch columns.</param>
    /// <param name="count">Number of targets.</param>
    public ColumnProgram(CompiledCondition condition, IReadOnlyList<double[]> values, IReadOnlyList<double[]> scratch, int count)
    {
        Count = count;
        var operations = new List<ColumnOperation>();
        var depth = Math.Max(1, condition.MaxStackDepth);
        var stack = new ColumnOperand[depth];
        var producer = new int[depth];
        var sp = 0;
        var instructions = condition.Instructions;
        Actual = Filled(count, double.NaN);
        Threshold = Actual;
        for (var i = 0; i < instructions.Length; i++)
        {
            var instruction = instructions[i];
            var op = instruction.OpCode;
            switch (op)
            {
                case ConditionOpCode.Const:
                    producer[sp] = -1;
                    stack[sp++] = ColumnOperand.Of(instruction.Constant);
                    break;
                case ConditionOpCode.Load:
                    producer[sp] = -1;
                    stack[sp++] = ColumnOperand.Of(values[instruction.ValueIndex]);
                    break;
                case var _ when ScalarOps.IsUnary(op):
                {
                    var a = stack[sp - 1];
                    if (a.IsConstant)
                    {
                        stack[sp - 1] = ColumnOperand.Of(ScalarOps.Unary(op, a.Constant));
                        producer[sp - 1] = -1;
                    }
                    else
                    {
                        var destination = scratch[sp - 1];
                        producer[sp - 1] = operations.Count;
                        operations.Add(new ColumnOperation(op, OperandShape.Unary, a, default, destination));
                        stack[sp - 1] = ColumnOperand.Of(destination);
                    }

                    break;
                }

                default:
                {
                    sp--;
                    if (i == condition.TopComparison)
                    {
                        stack[sp - 1] = Capture(stack[sp - 1], producer[sp - 1], operations, count, out var actual);
                        stack[sp] = Capture(stack[sp], producer[sp], operations, count, out var threshold);
                        Actual = actual;
                        Threshold = threshold;
                    }

                    var a = stack[sp - 1];
                    var b = stack[sp];
                    if (a.IsConstant && b.IsConstant)
                    {
                        stack[sp - 1] = ColumnOperand.Of(ScalarOps.Binary(op, a.Constant, b.Constant));
                        producer[sp - 1] = -1;
                    }
                    else
                    {
                        var destination = scratch[sp - 1];
                        var shape = a.IsConstant ? OperandShape.ConstantColumn
                            : b.IsConstant ? OperandShape.ColumnConstant
                            : OperandShape.ColumnColumn;
                        producer[sp - 1] = operations.Count;
                        operations.Add(new ColumnOperation(op, shape, a, b, destination));
                        stack[sp - 1] = ColumnOperand.Of(destination);
                    }

                    break;
                }
            }
        }

        // The result gets its own column (scratch columns are shared by every condition's program, and the engine
        // runs all programs of a block before reading any result).
        var result = stack[0];
        if (!result.IsConstant && producer[0] >= 0)
        {
            result = Capture(result, producer[0], operations, count, out _);
        }

        Result = result.IsConstant ? Filled(count, result.Constant) : result.Column!;
        _operations = [.. operations];
    }

    /// <summary>Number of targets.</summary>
    public int Count { get; }

    /// <summary>The result column after <see cref="Run()"/>: 1 where the condition holds, else 0.</summary>
    public double[] Result { get; }

    /// <summary>The top comparison's left side per target after <see cref="Run()"/> (NaN when there is none).</summary>
    public double[] Actual { get; }

    /// <summary>The top comparison's right side per target after <see cref="Run()"/> (NaN when there is none).</summary>
    public double[] Threshold { get; }

    /// <summary>Number of column operations per run.</summary>
    public int OperationCount => _operations.Length;

    /// <summary>Runs every operation across all targets. Allocates nothing.</summary>
    public void Run() => Run(0, Count);

    /// <summary>Runs every operation across targets <c>[start, start + length)</c>. Allocates nothing.</summary>
    public void Run(int start, int length)
    {
        if (length < Vector<double>.Count)
        {
            RunScalar(start, length);
            return;
        }

        foreach (var operation in _operations)
        {
            var destination = operation.Destination.AsSpan(start, length);
            switch (operation.Shape)
            {
                case OperandShape.Unary:
                    ColumnKernels.Unary(operation.OpCode, operation.A.Column.AsSpan(start, length), destination);
                    break;
                case OperandShape.ConstantColumn:
                    ColumnKernels.BinaryConstLeft(operation.OpCode, operation.A.Constant, operation.B.Column.AsSpan(start, length), destination);
                    break;
                case OperandShape.ColumnConstant:
                    ColumnKernels.BinaryConstRight(operation.OpCode, operation.A.Column.AsSpan(start, length), operation.B.Constant, destination);
                    break;
                default:
                    ColumnKernels.Binary(operation.OpCode, operation.A.Column.AsSpan(start, length), operation.B.Column.AsSpan(start, length), destination);
                    break;
            }
        }
    }

    /// <summary>Fewer targets than one vector: element by element, without the kernels' setup cost.</summary>
    private void RunScalar(int start, int length)
    {
        var end = start + length;
        foreach (var operation in _operations)
        {
            var destination = operation.Destination;
            var op = operation.OpCode;
            var a = operation.A;
            var b = operation.B;
            for (var i = start; i < end; i++)
            {
                destination[i] = operation.Shape == OperandShape.Unary
                    ? ScalarOps.Unary(op, a.Column![i])
                    : ScalarOps.Binary(op, a.IsConstant ? a.Constant : a.Column![i], b.IsConstant ? b.Constant : b.Column![i]);
            }
        }
    }

    /// <summary>
    /// Makes a comparison operand reportable: a constant becomes a filled column, a value column is read in place, and
    /// a computed operand is retargeted so the operation producing it writes into a dedicated column (scratch columns
    /// are reused by later operations).
    /// </summary>
    private static ColumnOperand Capture(ColumnOperand operand, int producer, List<ColumnOperation> operations, int count, out double[] column)
    {
        if (operand.IsConstant)
        {
            column = Filled(count, operand.Constant);
            return operand;
        }

        if (producer < 0)
        {
            column = operand.Column!;
            return operand;
        }

        column = new double[count];
        operations[producer] = operations[producer] with { Destination = column };
        return ColumnOperand.Of(column);
    }

    private static double[] Filled(int count, double value)
    {
        var column = new double[count];
        Array.Fill(column, value);
        return column;
    }
}
