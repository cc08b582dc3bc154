using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using Microsoft.Extensions.Options;
using RollbackKit.Hosting;
using RollbackKit.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RollbackKit.</summary>
public static class RollbackKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds RollbackKit with options bound from the <c>RollbackKit</c> configuration section (when an
    /// <see cref="IConfiguration"/> is registered) and validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder that adapter packages extend.</returns>
    public static IRollbackKitBuilder AddRollbackKit(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new RollbackKitBuilder(services);
        if (services.Any(static d => d.ServiceType == typeof(RollbackKitMarker)))
        {
            return builder;
        }

        services.AddSingleton<RollbackKitMarker>();
        services.AddOptions<RollbackKitOptions>().ValidateOnStart();
        _ = ConfigurationSubsections.Get(services);
        services.AddSingleton<ConfigurationBindingErrors<RollbackKitOptions>>();
        services.AddSingleton<IConfigureOptions<RollbackKitOptions>, BindFromConfiguration>();
        services.AddSingleton<IPostConfigureOptions<RollbackKitOptions>, ContentRootPathSetup>();
        services.TryAddSingleton(TimeProvider.System);
        RollbackKitCoreRegistration.AddCoreServices(services);
        return builder;
    }

    /// <summary>Adds RollbackKit and configures its options in code (applied after configuration binding).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder that adapter packages extend.</returns>
    public static IRollbackKitBuilder AddRollbackKit(this IServiceCollection services, Action<RollbackKitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddRollbackKit();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Adds RollbackKit with options bound from <paramref name="section"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section, usually <c>configuration.GetSection("RollbackKit")</c>.</param>
    /// <returns>A builder that adapter packages extend.</returns>
    public static IRollbackKitBuilder AddRollbackKit(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddRollbackKit();
        services.RemoveAll<RollbackKitSection>();
        services.AddSingleton(new RollbackKitSection(section));
        return builder;
    }
}
