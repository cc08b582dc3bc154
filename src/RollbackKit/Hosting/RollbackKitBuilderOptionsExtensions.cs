using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The one way adapter packages register their options: bound from <c>RollbackKit:{subsection}</c> (under whichever
/// section <c>AddRollbackKit</c> bound) or from a section the caller passes, then configured in code, then validated at
/// start by an <see cref="IValidateOptions{TOptions}"/> that is told the real configuration key path.
/// </summary>
public static class RollbackKitBuilderOptionsExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> bound from <c>{RollbackKit section}:{subsection}</c> (for example
    /// <c>RollbackKit:Slack</c>, or <c>MyApp:Rollback:Slack</c> after <c>AddRollbackKit(configuration.GetSection("MyApp:Rollback"))</c>),
    /// then <paramref name="configure"/>, validated at start. Safe to call more than once: binding and validation are
    /// registered once, every <paramref name="configure"/> is applied in call order.
    /// </summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="subsection">The subsection under RollbackKit's section, for example <c>Slack</c> or <c>Kubernetes:LeaseLock</c>.</param>
    /// <param name="configure">Configures the options in code, after binding; optional.</param>
    /// <param name="createValidator">Creates the validator from the key path its messages must start with, for example <c>MyApp:Rollback:Slack</c>.</param>
    /// <returns>The options builder, for further configuration.</returns>
    public static OptionsBuilder<TOptions> AddAdapterOptions<TOptions>(
        this IRollbackKitBuilder builder,
        string subsection,
        Action<TOptions>? configure,
        Func<string, IValidateOptions<TOptions>> createValidator)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(subsection);
        ArgumentNullException.ThrowIfNull(createValidator);
        var options = builder.Services.AddOptions<TOptions>();
        _ = Register(builder.Services, subsection, createValidator);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return options;
    }

    /// <summary>
    /// Registers <typeparamref name="TOptions"/> bound from <paramref name="section"/> (instead of the default
    /// <c>{RollbackKit section}:{subsection}</c>), validated at start with messages that name <paramref name="section"/>'s path.
    /// </summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="subsection">The default subsection, used when this registration is the first for <typeparamref name="TOptions"/>.</param>
    /// <param name="section">The configuration section the options bind from, for example <c>configuration.GetSection("Deploy:Slack")</c>.</param>
    /// <param name="createValidator">Creates the validator from the key path its messages must start with.</param>
    /// <returns>The options builder, for further configuration.</returns>
    public static OptionsBuilder<TOptions> AddAdapterOptions<TOptions>(
        this IRollbackKitBuilder builder,
        string subsection,
        IConfigurationSection section,
        Func<string, IValidateOptions<TOptions>> createValidator)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(subsection);
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(createValidator);
        var options = builder.Services.AddOptions<TOptions>();
        Register(builder.Services, subsection, createValidator).Section = section;
        return options;
    }

    private static AdapterOptionsSource<TOptions> Register<TOptions>(
        IServiceCollection services,
        string subsection,
        Func<string, IValidateOptions<TOptions>> createValidator)
        where TOptions : class
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(AdapterOptionsSource<TOptions>) && descriptor.ImplementationInstance is AdapterOptionsSource<TOptions> existing)
            {
                return existing;
            }
        }

        var source = new AdapterOptionsSource<TOptions>(subsection);
        ConfigurationSubsections.Get(services).Add(subsection);
        services.AddSingleton(source);
        services.AddSingleton<ConfigurationBindingErrors<TOptions>>();
        services.AddSingleton<IConfigureOptions<TOptions>, BindAdapterOptions<TOptions>>();
        services.AddSingleton<IValidateOptions<TOptions>>(sp => new AdapterOptionsValidator<TOptions>(
            sp.GetRequiredService<ConfigurationBindingErrors<TOptions>>(),
            createValidator(source.KeyPath(sp))));
        services.AddOptions<TOptions>().ValidateOnStart();
        return source;
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

/// <summary>
/// Binds an adapter's options strictly from <see cref="AdapterOptionsSource{TOptions}"/>; problems are reported at start by
/// <see cref="AdapterOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class BindAdapterOptions<TOptions>(
    IServiceProvider services,
    AdapterOptionsSource<TOptions> source,
    ConfigurationBindingErrors<TOptions> errors,
    ConfigurationSubsections subsections) : IConfigureOptions<TOptions>
    where TOptions : class
{
    public void Configure(TOptions options)
    {
        var rootPath = services.GetService(typeof(RollbackKitSection)) is RollbackKitSection explicitSection
            ? explicitSection.Path
            : RollbackKitOptions.SectionName;
        errors.Bind(Microsoft.Extensions.Options.Options.DefaultName, source.Resolve(services), options, source.KeyPath(services), subsections, rootPath);
    }
}
