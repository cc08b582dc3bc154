namespace RollbackKit.Redaction;

/// <summary>
/// An exception as the logging providers see it after redaction: its message, its text (<see cref="ToString"/>: type, message,
/// inner exceptions, stack trace) and its inner exceptions pass through the <see cref="SecretRedactor"/>; the stack trace is kept.
/// Exception messages carry what the caller put in them: URLs with user-info, <c>Authorization</c> headers, command lines,
/// error bodies.
/// </summary>
internal sealed class RedactedException : Exception
{
    private readonly string _text;
    private readonly string? _stackTrace;

    private RedactedException(Exception original, SecretRedactor redactor)
        : base(redactor.Redact(original.Message), original.InnerException is { } inner ? new RedactedException(inner, redactor) : null)
    {
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        _text = redactor.Redact(original.ToString());
        _stackTrace = original.StackTrace;
        HResult = original.HResult;
        Source = original.Source;
    }

    /// <summary>The full name of the exception's type.</summary>
    public string OriginalType { get; }

    public override string? StackTrace => _stackTrace;

    /// <summary>
    /// Returns <paramref name="exception"/> itself when nothing in its text is secret, else a redacted stand-in (so the type
    /// providers see stays the original's whenever possible).
    /// </summary>
    public static Exception? Redact(Exception? exception, SecretRedactor redactor)
    {
        if (exception is null or RedactedException)
        {
            return exception;
        }

        var text = exception.ToString();
        return ReferenceEquals(redactor.Redact(text), text) ? exception : new RedactedException(exception, redactor);
    }

    public override string ToString() => _text;
}
