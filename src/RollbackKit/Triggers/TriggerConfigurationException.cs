namespace RollbackKit.Triggers;

/// <summary>A trigger is invalid. The message names the trigger index, the field and, for conditions, the position.</summary>
internal sealed class TriggerConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TriggerConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public TriggerConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TriggerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a trigger field.</summary>
    /// <param name="triggerIndex">Index of the trigger in configuration.</param>
    /// <param name="field">The field, for example <c>Condition</c>.</param>
    /// <param name="message">What is wrong, for example <c>unknown name 'eror_rate' at 1</c>.</param>
    public TriggerConfigurationException(int triggerIndex, string field, string message)
        : base($"Triggers:{triggerIndex}:{field}: {message}")
    {
        TriggerIndex = triggerIndex;
        Field = field;
        Detail = message;
    }

    /// <summary>Index of the trigger in configuration, or -1.</summary>
    public int TriggerIndex { get; } = -1;

    /// <summary>The field, for example <c>Condition</c>.</summary>
    public string? Field { get; }

    /// <summary>The message without the key path.</summary>
    public string? Detail { get; }
}
