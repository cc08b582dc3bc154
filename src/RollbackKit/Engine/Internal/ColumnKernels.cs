using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RollbackKit.Conditions;

namespace RollbackKit.Engine.Internal;

/// <summary>Vectorized column operations (one operation over every target at once).</summary>
internal static class ColumnKernels
{
    public static void Binary(ConditionOpCode op, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> d)
    {
        switch (op)
        {
            case ConditionOpCode.Add: Run<AddOp>(a, b, d); break;
            case ConditionOpCode.Sub: Run<SubOp>(a, b, d); break;
            case ConditionOpCode.Mul: Run<MulOp>(a, b, d); break;
            case ConditionOpCode.Div: Run<DivOp>(a, b, d); break;
            case ConditionOpCode.Gt: Run<GtOp>(a, b, d); break;
            case ConditionOpCode.Ge: Run<GeOp>(a, b, d); break;
            case ConditionOpCode.Lt: Run<LtOp>(a, b, d); break;
            case ConditionOpCode.Le: Run<LeOp>(a, b, d); break;
            case ConditionOpCode.Eq: Run<EqOp>(a, b, d); break;
            case ConditionOpCode.Ne: Run<NeOp>(a, b, d); break;
            case ConditionOpCode.And: Run<AndOp>(a, b, d); break;
            case ConditionOpCode.Or: Run<OrOp>(a, b, d); break;
            case ConditionOpCode.Min: Run<MinOp>(a, b, d); break;
            case ConditionOpCode.Max: Run<MaxOp>(a, b, d); break;
            default: throw new InvalidOperationException($"Not a binary operation: {op}.");
        }
    }

    public static void BinaryConstRight(ConditionOpCode op, ReadOnlySpan<double> a, double b, Span<double> d)
    {
        switch (op)
        {
            case ConditionOpCode.Add: RunConstRight<AddOp>(a, b, d); break;
            case ConditionOpCode.Sub: RunConstRight<SubOp>(a, b, d); break;
            case ConditionOpCode.Mul: RunConstRight<MulOp>(a, b, d); break;
            case ConditionOpCode.Div: RunConstRight<DivOp>(a, b, d); break;
            case ConditionOpCode.Gt: RunConstRight<GtOp>(a, b, d); break;
            case ConditionOpCode.Ge: RunConstRight<GeOp>(a, b, d); break;
            case ConditionOpCode.Lt: RunConstRight<LtOp>(a, b, d); break;
            case ConditionOpCode.Le: RunConstRight<LeOp>(a, b, d); break;
            case ConditionOpCode.Eq: RunConstRight<EqOp>(a, b, d); break;
            case ConditionOpCode.Ne: RunConstRight<NeOp>(a, b, d); break;
            case ConditionOpCode.And: RunConstRight<AndOp>(a, b, d); break;
            case ConditionOpCode.Or: RunConstRight<OrOp>(a, b, d); break;
            case ConditionOpCode.Min: RunConstRight<MinOp>(a, b, d); break;
            case ConditionOpCode.Max: RunConstRight<MaxOp>(a, b, d); break;
            default: throw new InvalidOperationException($"Not a binary operation: {op}.");
        }
    }

    public static void BinaryConstLeft(ConditionOpCode op, double a, ReadOnlySpan<double> b, Span<double> d)
    {
        switch (op)
        {
            case ConditionOpCode.Add: RunConstLeft<AddOp>(a, b, d); break;
            case ConditionOpCode.Sub: RunConstLeft<SubOp>(a, b, d); break;
            case ConditionOpCode.Mul: RunConstLeft<MulOp>(a, b, d); break;
            case ConditionOpCode.Div: RunConstLeft<DivOp>(a, b, d); break;
            case ConditionOpCode.Gt: RunConstLeft<GtOp>(a, b, d); break;
            case ConditionOpCode.Ge: RunConstLeft<GeOp>(a, b, d); break;
            case ConditionOpCode.Lt: RunConstLeft<LtOp>(a, b, d); break;
            case ConditionOpCode.Le: RunConstLeft<LeOp>(a, b, d); break;
            case ConditionOpCode.Eq: RunConstLeft<EqOp>(a, b, d); break;
            case ConditionOpCode.Ne: RunConstLeft<NeOp>(a, b, d); break;
            case ConditionOpCode.And: RunConstLeft<AndOp>(a, b, d); break;
            case ConditionOpCode.Or: RunConstLeft<OrOp>(a, b, d); break;
            case ConditionOpCode.Min: RunConstLeft<MinOp>(a, b, d); break;
            case ConditionOpCode.Max: RunConstLeft<MaxOp>(a, b, d); break;
            default: throw new InvalidOperationException($"Not a binary operation: {op}.");
        }
    }

    public static void Unary(ConditionOpCode op, ReadOnlySpan<double> a, Span<double> d)
    {
        switch (op)
        {
            case ConditionOpCode.Neg: RunUnary<NegOp>(a, d); break;
            case ConditionOpCode.Not: RunUnary<NotOp>(a, d); break;
            case ConditionOpCode.Abs: RunUnary<AbsOp>(a, d); break;
            case ConditionOpCode.IsNaN: RunUnary<IsNaNOp>(a, d); break;
            case ConditionOpCode.Copy: a.CopyTo(d); break;
            default: throw new InvalidOperationException($"Not a unary operation: {op}.");
        }
    }

    /// <summary>Bitwise-ors byte columns (quality flags).</summary>
    public static void Or(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d)
    {
        var va = MemoryMarshal.Cast<byte, Vector<byte>>(a);
        var vb = MemoryMarshal.Cast<byte, Vector<byte>>(b[..a.Length]);
        var vd = MemoryMarshal.Cast<byte, Vector<byte>>(d[..a.Length]);
        for (var i = 0; i < va.Length; i++)
        {
            vd[i] = va[i] | vb[i];
        }

        for (var i = va.Length * Vector<byte>.Count; i < a.Length; i++)
        {
            d[i] = (byte)(a[i] | b[i]);
        }
    }

    private static void Run<T>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> d)
        where T : struct, IBinary
    {
        var n = a.Length;
        b = b[..n];
        d = d[..n];
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        var vd = MemoryMarshal.Cast<double, Vector<double>>(d);
        for (var i = 0; i < va.Length; i++)
        {
            vd[i] = T.Apply(va[i], vb[i]);
        }

        for (var i = va.Length * Vector<double>.Count; i < n; i++)
        {
            d[i] = T.Apply(a[i], b[i]);
        }
    }

    private static void RunConstRight<T>(ReadOnlySpan<double> a, double b, Span<double> d)
        where T : struct, IBinary
    {
        var n = a.Length;
        d = d[..n];
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vd = MemoryMarshal.Cast<double, Vector<double>>(d);
        var vb = new Vector<double>(b);
        for (var i = 0; i < va.Length; i++)
        {
            vd[i] = T.Apply(va[i], vb);
        }

        for (var i = va.Length * Vector<double>.Count; i < n; i++)
        {
            d[i] = T.Apply(a[i], b);
        }
    }

    private static void RunConstLeft<T>(double a, ReadOnlySpan<double> b, Span<double> d)
        where T : struct, IBinary
    {
        var n = b.Length;
        d = d[..n];
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        var vd = MemoryMarshal.Cast<double, Vector<double>>(d);
        var va = new Vector<double>(a);
        for (var i = 0; i < vb.Length; i++)
        {
            vd[i] = T.Apply(va, vb[i]);
        }

        for (var i = vb.Length * Vector<double>.Count; i < n; i++)
        {
            d[i] = T.Apply(a, b[i]);
        }
    }

    private static void RunUnary<T>(ReadOnlySpan<double> a, Span<double> d)
        where T : struct, IUnary
    {
        var n = a.Length;
        d = d[..n];
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vd = MemoryMarshal.Cast<double, Vector<double>>(d);
        for (var i = 0; i < va.Length; i++)
        {
            vd[i] = T.Apply(va[i]);
        }

        for (var i = va.Length * Vector<double>.Count; i < n; i++)
        {
            d[i] = T.Apply(a[i]);
        }
    }

    private interface IBinary
    {
        static abstract Vector<double> Apply(Vector<double> a, Vector<double> b);

        static abstract double Apply(double a, double b);
    }

    private interface IUnary
    {
        static abstract Vector<double> Apply(Vector<double> a);

        static abstract double Apply(double a);
    }

    private static Vector<double> One => Vector<double>.One;

    private readonly struct AddOp : IBinary
    {
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a + b;

        public static double Apply(double a, double b) => a + b;
    }

    private readonly struct SubOp : IBinary
    {
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a - b;

        public static double Apply(double a, double b) => a - b;
    }

    private readonly struct MulOp : IBinary
    {
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a * b;

        public static double Apply(double a, double b) => a * b;
    }

    private readonly struct DivOp : IBinary
    {
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a / b;

        public static double Apply(double a, double b) => a / b;
    }

    private readonly struct GtOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.GreaterThan<double>(a, b) & One;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Gt, a, b);
    }

    private readonly struct GeOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.GreaterThanOrEqual<double>(a, b) & One;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Ge, a, b);
    }

    private readonly struct LtOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.LessThan<double>(a, b) & One;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Lt, a, b);
    }

    private readonly struct LeOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.LessThanOrEqual<double>(a, b) & One;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Le, a, b);
    }

    private readonly struct EqOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.Equals<double>(a, b) & One;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Eq, a, b);
    }

    private readonly struct NeOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) =>
            (Vector.LessThan<double>(a, b) | Vector.GreaterThan<double>(a, b)) & One;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Ne, a, b);
    }

    // Boolean operands are exactly 1.0 or 0.0, so bitwise and/or on their bits is logical and/or.
    private readonly struct AndOp : IBinary
    {
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a & b;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.And, a, b);
    }

    private readonly struct OrOp : IBinary
    {
        public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a | b;

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Or, a, b);
    }

    private readonly struct MinOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b)
        {
            var r = Vector.ConditionalSelect(Vector.LessThan<double>(a, b), a, b);
            r = Vector.ConditionalSelect(Vector.Equals<double>(a, a), r, a);
            return Vector.ConditionalSelect(Vector.Equals<double>(b, b), r, b);
        }

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Min, a, b);
    }

    private readonly struct MaxOp : IBinary
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Apply(Vector<double> a, Vector<double> b)
        {
            var r = Vector.ConditionalSelect(Vector.GreaterThan<double>(a, b), a, b);
            r = Vector.ConditionalSelect(Vector.Equals<double>(a, a), r, a);
            return Vector.ConditionalSelect(Vector.Equals<double>(b, b), r, b);
        }

        public static double Apply(double a, double b) => ScalarOps.Binary(ConditionOpCode.Max, a, b);
    }

    private readonly struct NegOp : IUnary
    {
        public static Vector<double> Apply(Vector<double> a) => -a;

        public static double Apply(double a) => -a;
    }

    private readonly struct NotOp : IUnary
    {
        public static Vector<double> Apply(Vector<double> a) => One - a;

        public static double Apply(double a) => ScalarOps.Unary(ConditionOpCode.Not, a);
    }

    private readonly struct AbsOp : IUnary
    {
        public static Vector<double> Apply(Vector<double> a) => Vector.Abs(a);

        public static double Apply(double a) => Math.Abs(a);
    }

    private readonly struct IsNaNOp : IUnary
    {
        public static Vector<double> Apply(Vector<double> a) => Vector.OnesComplement(Vector.Equals<double>(a, a)) & One;

        public static double Apply(double a) => double.IsNaN(a) ? 1 : 0;
    }
}
