using System.Runtime.CompilerServices;

namespace RollbackKit.Conditions;

/// <summary>Scalar semantics of every operation, shared by the interpreter and the vector kernels' tails.</summary>
internal static class ScalarOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Binary(ConditionOpCode op, double a, double b) => op switch
    {
        ConditionOpCode.Add => a + b,
        ConditionOpCode.Sub => a - b,
        ConditionOpCode.Mul => a * b,
        ConditionOpCode.Div => a / b,
        ConditionOpCode.Gt => a > b ? 1 : 0,
        ConditionOpCode.Ge => a >= b ? 1 : 0,
        ConditionOpCode.Lt => a < b ? 1 : 0,
        ConditionOpCode.Le => a <= b ? 1 : 0,
        ConditionOpCode.Eq => a == b ? 1 : 0,
        ConditionOpCode.Ne => a < b || a > b ? 1 : 0,
        ConditionOpCode.And => a != 0 && b != 0 ? 1 : 0,
        ConditionOpCode.Or => a != 0 || b != 0 ? 1 : 0,
        ConditionOpCode.Min => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : (a < b ? a : b),
        ConditionOpCode.Max => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : (a > b ? a : b),
        _ => throw new InvalidOperationException($"Not a binary operation: {op}."),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Unary(ConditionOpCode op, double a) => op switch
    {
        ConditionOpCode.Neg => -a,
        ConditionOpCode.Not => a != 0 ? 0 : 1,
        ConditionOpCode.Abs => Math.Abs(a),
        ConditionOpCode.IsNaN => double.IsNaN(a) ? 1 : 0,
        ConditionOpCode.Copy => a,
        _ => throw new InvalidOperationException($"Not a unary operation: {op}."),
    };

    public static bool IsUnary(ConditionOpCode op) =>
        op is ConditionOpCode.Neg or ConditionOpCode.Not or ConditionOpCode.Abs or ConditionOpCode.IsNaN or ConditionOpCode.Copy;

    public static bool IsComparison(ConditionOpCode op) =>
        op is ConditionOpCode.Gt or ConditionOpCode.Ge or ConditionOpCode.Lt or ConditionOpCode.Le or ConditionOpCode.Eq or ConditionOpCode.Ne;
}
