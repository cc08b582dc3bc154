using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Helm;
using RollbackKit.Helm.Internal;
using RollbackKit.Playbooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Helm playbook steps (<c>helm.rollback</c>, <c>helm.history</c>, <c>helm.status</c>).</summary>
public static class HelmRollbackKitBuilderExtensions
{
    private const string Subsection = "Helm";

    /// <summary>
    /// Adds the Helm steps with <see cref="HelmOptions"/> bound from <c>RollbackKit:Helm</c> (under whichever section
    /// <c>AddRollbackKit</c> bound), then <paramref name="configure"/>, and validated at start (the helm binary must
    /// exist). Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options in code, after binding; optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddHelm(this IRollbackKitBuilder builder, Action<HelmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(Subsection, configure, static path => new HelmOptionsValidator(path));
        AddHelmServices(builder.Services);
        return builder;
    }

    /// <summary>Adds the Helm steps with <see cref="HelmOptions"/> bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Deployer:Helm")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddHelm(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(Subsection, section, static path => new HelmOptionsValidator(path));
        AddHelmServices(builder.Services);
        return builder;
    }

    private static void AddHelmServices(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HelmMetrics>();
        services.TryAddSingleton<HelmProcessRunner>();
        services.TryAddSingleton<HelmCli>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HelmRollbackStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HelmHistoryStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HelmStatusStepFactory>());

        // Command lines, helm's output and exceptions in log lines go through the one redactor.
        services.AddRedactedLogger<HelmCli>();
        services.AddRedactedLogger<HelmRollbackStep>();
    }
}
