namespace RollbackKit.Conditions;

/// <summary>A condition could not be parsed or refers to an unknown name. <see cref="Exception.Message"/> names the position and what was expected.</summary>
public sealed class ConditionSyntaxException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ConditionSyntaxException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ConditionSyntaxException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConditionSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a position.</summary>
    /// <param name="message">What is wrong, for example <c>unknown name 'eror_rate'</c>.</param>
    /// <param name="position">1-based character position in the condition text.</param>
    public ConditionSyntaxException(string message, int position)
        : base($"{message} at {position}")
    {
        Position = position;
        Detail = message;
    }

    /// <summary>1-based character position of the problem in the condition text.</summary>
    public int Position { get; }

    /// <summary>The message without the position.</summary>
    public string? Detail { get; }
}
