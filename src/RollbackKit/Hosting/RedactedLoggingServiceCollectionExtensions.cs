using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Redaction;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Gives components outside the core (adapters, code steps) loggers that redact like RollbackKit's own.</summary>
public static class RedactedLoggingServiceCollectionExtensions
{
    /// <summary>
    /// Makes the <see cref="ILogger{TCategoryName}"/> the container gives out for <typeparamref name="T"/> pass the formatted
    /// message, every string value and the exception through the one <see cref="SecretRedactor"/> (configured secret values,
    /// secret flags, <c>Authorization</c> headers, URL user-info) before any logging provider sees them. Only the loggers of
    /// <typeparamref name="T"/> change; the application's other loggers are left alone. Safe to call more than once.
    /// </summary>
    /// <typeparam name="T">The logger's category: the component that logs.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddRedactedLogger<T>(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ILogger<T>>(static sp => new RedactingLogger<T>(
            sp.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance,
            sp.GetService<SecretRedactor>() ?? SecretRedactor.Patterns));
        return services;
    }
}
