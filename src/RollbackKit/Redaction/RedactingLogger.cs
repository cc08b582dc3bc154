using System.Collections;
using Microsoft.Extensions.Logging;

namespace RollbackKit.Redaction;

/// <summary>
/// Wraps the loggers of RollbackKit's components and adapters: the formatted message, every string value of the structured
/// state and the exception (<see cref="RedactedException"/>) pass through the <see cref="SecretRedactor"/> before any logging
/// provider sees them.
/// </summary>
internal sealed class RedactingLogger<T>(ILogger<T> inner, SecretRedactor redactor) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var message = redactor.Redact(formatter(state, exception));
        var redacted = new RedactedState(state as IReadOnlyList<KeyValuePair<string, object?>>, message, redactor);
        inner.Log(logLevel, eventId, redacted, RedactedException.Redact(exception, redactor), static (s, _) => s.Message);
    }

    /// <summary>The structured state with string values redacted; <see cref="ToString"/> is the redacted message.</summary>
    private sealed class RedactedState : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _values;

        public RedactedState(IReadOnlyList<KeyValuePair<string, object?>>? values, string message, SecretRedactor redactor)
        {
            Message = message;
            if (values is null)
            {
                _values = [];
                return;
            }

            _values = new KeyValuePair<string, object?>[values.Count];
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                _values[i] = value is string text && key != "{OriginalFormat}" ? new(key, redactor.Redact(text)) : values[i];
            }
        }

        public string Message { get; }

        public int Count => _values.Length;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
