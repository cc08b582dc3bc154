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
