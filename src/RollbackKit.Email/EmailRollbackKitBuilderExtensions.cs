using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Email;
using RollbackKit.Email.Internal;
using RollbackKit.Internal;
using RollbackKit.Notifications;
using RollbackKit.Redaction;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the e-mail notifier to RollbackKit.</summary>
public static class EmailRollbackKitBuilderExtensions
{
    private const string Subsection = "Email";

    /// <summary>
    /// Adds the e-mail notifier (one summary mail per finished rollback), with options bound from <c>RollbackKit:Email</c>
    /// (under whichever section <c>AddRollbackKit</c> bound), then <paramref name="configure"/>; validated at start.
    /// Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddEmail(this IRollbackKitBuilder builder, Action<EmailOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(Subsection, configure, static path => new EmailOptionsValidator(path));
        AddEmailServices(builder.Services);
        return builder;
    }

    /// <summary>Adds the e-mail notifier with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Deploy:Mail")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddEmail(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(Subsection, section, static path => new EmailOptionsValidator(path));
        AddEmailServices(builder.Services);
        return builder;
    }

    private static void AddEmailServices(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IntegrationMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, EmailNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, EmailSecretValues>());
    }
}
