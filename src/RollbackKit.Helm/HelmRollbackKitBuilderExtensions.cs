using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit.Helm;
using RollbackKit.Helm.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit;

/// <summary>Adds the Helm playbook steps (<c>helm.rollback</c>, <c>helm.history</c>, <c>helm.status</c>).</summary>
public static class HelmRollbackKitBuilderExtensions
{
    /// <summary>
    /// Adds the Helm steps with <see cref="HelmOptions"/> bound from the <c>RollbackKit:Helm</c> section (when an
    /// <see cref="IConfiguration"/> is registered) and validated at start (the helm binary must exist). Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddHelm(this IRollbackKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(static d => d.ServiceType == typeof(HelmMarker)))
        {
            return builder;
        }

        services.AddSingleton<HelmMarker>();
        services.AddOptions<HelmOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<HelmOptions>, HelmOptionsSetup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HelmOptions>, HelmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HelmMetrics>();
        services.TryAddSingleton<HelmProcessRunner>();
        services.TryAddSingleton<HelmCli>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HelmRollbackStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HelmHistoryStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HelmStatusStepFactory>());
        return builder;
    }

    /// <summary>Adds the Helm steps and configures <see cref="HelmOptions"/> in code (applied after configuration binding).</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddHelm(this IRollbackKitBuilder builder, Action<HelmOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddHelm();
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds the Helm steps with <see cref="HelmOptions"/> bound from <paramref name="section"/> (applied after the default section).</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Deployer:Helm")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddHelm(this IRollbackKitBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        builder.AddHelm();
        builder.Services.Configure<HelmOptions>(section);
        return builder;
    }
}
