using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configuration helpers for adapter packages.</summary>
public static class RollbackKitBuilderConfigurationExtensions
{
    /// <summary>
    /// Binds the subsection <paramref name="subsection"/> of RollbackKit's configuration section (for example
    /// <c>RollbackKit:Slack</c> for <c>"Slack"</c>) to <typeparamref name="TOptions"/>, when an
    /// <see cref="Microsoft.Extensions.Configuration.IConfiguration"/> is registered. Follows the section given to
    /// <c>AddRollbackKit(IConfiguration)</c>. Safe to call more than once.
    /// </summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="subsection">The subsection name, for example <c>Slack</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder BindOptionsSection<TOptions>(this IRollbackKitBuilder builder, string subsection)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(subsection);
        ConfigurationSubsections.Get(builder.Services).Add(subsection);
        builder.Services.TryAddSingleton(new OptionsSubsection<TOptions>(subsection));
        builder.Services.TryAddSingleton<ConfigurationBindingErrors<TOptions>>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TOptions>, BindSubsection<TOptions>>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, BindingErrorsValidator<TOptions>>());
        builder.Services.AddOptions<TOptions>().ValidateOnStart();
        return builder;
    }
}
