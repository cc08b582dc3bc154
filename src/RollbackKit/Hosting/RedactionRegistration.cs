using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Journal;
using RollbackKit.Redaction;

namespace RollbackKit.Hosting;

/// <summary>
/// Registers the one <see cref="SecretRedactor"/>, built at start from every <see cref="ISecretValueSource"/> (adapters
/// contribute their configured secrets), and hands the components redacting loggers and a redacting journal.
/// </summary>
internal static class RedactionRegistration
{
    public static void AddRedaction(IServiceCollection services) =>
        services.TryAddSingleton(static sp => new SecretRedactor(sp.GetServices<ISecretValueSource>().SelectMany(static s => s.GetSecretValues())));

    /// <summary>The component's logger, redacting every message and string value.</summary>
    public static ILogger<T> Logger<T>(IServiceProvider services) =>
        new RedactingLogger<T>(services.GetService<ILogger<T>>() ?? NullLogger<T>.Instance, services.GetRequiredService<SecretRedactor>());

    /// <summary>The journal as the workflow writes to it: every entry redacted before it is stored.</summary>
    public static IRollbackJournal Journal(IServiceProvider services) =>
        new RedactingRollbackJournal(services.GetRequiredService<IRollbackJournal>(), services.GetRequiredService<SecretRedactor>());
}
