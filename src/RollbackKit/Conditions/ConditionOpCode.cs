namespace RollbackKit.Conditions;

/// <summary>One instruction of a compiled condition (postfix over a stack of doubles; booleans are 1 and 0).</summary>
internal enum ConditionOpCode : byte
{
    /// <summary>Push a constant.</summary>
    Const,

    /// <summary>Push a named value (by index).</summary>
    Load,

    /// <summary>Unary minus.</summary>
    Neg,

    /// <summary>Addition.</summary>
    Add,

    /// <summary>Subtraction.</summary>
    Sub,

    /// <summary>Multiplication.</summary>
    Mul,

    /// <summary>Division (IEEE: x/0 is ±infinity, 0/0 is NaN).</summary>
    Div,

    /// <summary>Greater than; false when either side is NaN.</summary>
    Gt,

    /// <summary>Greater than or equal; false when either side is NaN.</summary>
    Ge,

    /// <summary>Less than; false when either side is NaN.</summary>
    Lt,

    /// <summary>Less than or equal; false when either side is NaN.</summary>
    Le,

    /// <summary>Equal; false when either side is NaN.</summary>
    Eq,

    /// <summary>Not equal; false when either side is NaN.</summary>
    Ne,

    /// <summary>Logical and.</summary>
    And,

    /// <summary>Logical or.</summary>
    Or,

    /// <summary>Logical not.</summary>
    Not,

    /// <summary>Absolute value.</summary>
    Abs,

    /// <summary>Minimum; NaN when either side is NaN.</summary>
    Min,

    /// <summary>Maximum; NaN when either side is NaN.</summary>
    Max,

    /// <summary>1 when the operand is NaN, else 0.</summary>
    IsNaN,

    /// <summary>Column programs only: copy a column (capturing comparison operands).</summary>
    Copy,
}

/// <summary>One postfix instruction.</summary>
/// <param name="OpCode">The operation.</param>
/// <param name="ValueIndex">For <see cref="ConditionOpCode.Load"/>: the value index.</param>
/// <param name="Constant">For <see cref="ConditionOpCode.Const"/>: the constant.</param>
internal readonly record struct ConditionInstruction(ConditionOpCode OpCode, int ValueIndex = -1, double Constant = 0);
