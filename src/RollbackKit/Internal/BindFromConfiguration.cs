using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace RollbackKit.Internal;

/// <summary>Binds the <c>RollbackKit</c> section of the application's <see cref="IConfiguration"/>, when one is registered.</summary>
internal sealed class BindFromConfiguration(IServiceProvider services) : IConfigureOptions<RollbackKitOptions>
{
    public void Configure(RollbackKitOptions options)
    {
        if (services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection)
        {
            explicitSection.Section.Bind(options);
        }
        else if (services.GetService(typeof(IConfiguration)) is IConfiguration configuration)
        {
            configuration.GetSection(RollbackKitOptions.SectionName).Bind(options);
        }
    }
}

/// <summary>The section given to <c>AddRollbackKit(IConfiguration)</c>.</summary>
internal sealed record RollbackKitSection(IConfiguration Section)
{
    /// <summary>The key path prefix for validation messages.</summary>
    public string Path => Section is IConfigurationSection section && section.Path.Length > 0 ? section.Path : RollbackKitOptions.SectionName;
}

/// <summary>The subsection an adapter's options bind from.</summary>
internal sealed record OptionsSubsection<TOptions>(string Name)
    where TOptions : class;

/// <summary>Binds <c>{RollbackKit section}:{subsection}</c> to <typeparamref name="TOptions"/> when configuration exists.</summary>
internal sealed class BindSubsection<TOptions>(IServiceProvider services, OptionsSubsection<TOptions> subsection) : IConfigureOptions<TOptions>
    where TOptions : class
{
    public void Configure(TOptions options)
    {
        var root = services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection
            ? explicitSection.Section
            : (services.GetService(typeof(IConfiguration)) as IConfiguration)?.GetSection(RollbackKitOptions.SectionName);
        root?.GetSection(subsection.Name).Bind(options);
    }
}

/// <summary>
/// Where an adapter's <typeparamref name="TOptions"/> bind from: the section given to <c>AddX(IConfigurationSection)</c>
/// when there is one, otherwise <c>{RollbackKit section}:{subsection}</c>. One instance per options type.
/// </summary>
internal sealed class AdapterOptionsSource<TOptions>(string subsection)
    where TOptions : class
{
    /// <summary>The subsection under RollbackKit's section, for example <c>Slack</c>.</summary>
    public string Subsection { get; } = subsection;

    /// <summary>The section given explicitly, if any; it replaces the default subsection.</summary>
    public IConfigurationSection? Section { get; set; }

    /// <summary>The configuration the options bind from, or <see langword="null"/> when no configuration is registered.</summary>
    public IConfiguration? Resolve(IServiceProvider services)
    {
        if (Section is not null)
        {
            return Section;
        }

        var root = services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection
            ? explicitSection.Section
            : (services.GetService(typeof(IConfiguration)) as IConfiguration)?.GetSection(RollbackKitOptions.SectionName);
        return root?.GetSection(Subsection);
    }

    /// <summary>The key path that validation messages start with, for example <c>MyApp:Rollback:Slack</c>.</summary>
    public string KeyPath(IServiceProvider services)
    {
        if (Section is not null)
        {
            return Section.Path;
        }

        var root = services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection
            ? explicitSection.Path
            : RollbackKitOptions.SectionName;
        return root + ":" + Subsection;
    }
}

/// <summary>Binds an adapter's options from <see cref="AdapterOptionsSource{TOptions}"/>.</summary>
internal sealed class BindAdapterOptions<TOptions>(IServiceProvider services, AdapterOptionsSource<TOptions> source) : IConfigureOptions<TOptions>
    where TOptions : class
{
    public void Configure(TOptions options) => source.Resolve(services)?.Bind(options);
}
