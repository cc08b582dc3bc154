using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace RollbackKit.Internal;

/// <summary>Binds the <c>RollbackKit</c> section of the application's <see cref="IConfiguration"/>, when one is registered.</summary>
/// <remarks>
/// Binding is strict: a value that does not convert or a key that matches no setting is recorded in
/// <see cref="ConfigurationBindingErrors{TOptions}"/> and reported at start by <see cref="RollbackKitOptionsValidator"/>.
/// </remarks>
internal sealed class BindFromConfiguration(
    IServiceProvider services,
    ConfigurationBindingErrors<RollbackKitOptions> errors,
    ConfigurationSubsections subsections) : IConfigureOptions<RollbackKitOptions>
{
    public void Configure(RollbackKitOptions options)
    {
        var name = Options.DefaultName;
        if (services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection)
        {
            errors.Bind(name, explicitSection.Section, options, explicitSection.Path, subsections, explicitSection.Path);
        }
        else if (services.GetService(typeof(IConfiguration)) is IConfiguration configuration)
        {
            errors.Bind(name, configuration.GetSection(RollbackKitOptions.SectionName), options, RollbackKitOptions.SectionName, subsections, RollbackKitOptions.SectionName);
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
internal sealed class BindSubsection<TOptions>(
    IServiceProvider services,
    OptionsSubsection<TOptions> subsection,
    ConfigurationBindingErrors<TOptions> errors,
    ConfigurationSubsections subsections) : IConfigureOptions<TOptions>
    where TOptions : class
{
    public void Configure(TOptions options)
    {
        var root = services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection
            ? explicitSection.Section
            : (services.GetService(typeof(IConfiguration)) as IConfiguration)?.GetSection(RollbackKitOptions.SectionName);
        var rootPath = services.GetService(typeof(RollbackKitSection)) is RollbackKitSection named ? named.Path : RollbackKitOptions.SectionName;
        errors.Bind(Options.DefaultName, root?.GetSection(subsection.Name), options, rootPath + ":" + subsection.Name, subsections, rootPath);
    }
}

/// <summary>Reports the problems found while binding <typeparamref name="TOptions"/>.</summary>
internal sealed class BindingErrorsValidator<TOptions>(ConfigurationBindingErrors<TOptions> errors) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options) => StartupProblems.Result([.. errors.Get(name)]);
}
