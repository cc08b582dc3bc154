using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>Binds a configuration section to options when an <see cref="IConfiguration"/> is registered (and does nothing otherwise).</summary>
internal sealed class BindSection<TOptions>(IServiceProvider services) : IConfigureOptions<TOptions>
    where TOptions : class
{
    private static readonly string s_path = typeof(TOptions) switch
    {
        Type t when t == typeof(RollbackKitWebhookOptions) => RollbackKitWebhookOptions.SectionName,
        Type t when t == typeof(PolicyBreachOptions) => PolicyBreachOptions.SectionName,
        _ => throw new InvalidOperationException("No configuration section for " + typeof(TOptions).Name),
    };

    public void Configure(TOptions options)
    {
        if (services.GetService(typeof(IConfiguration)) is IConfiguration configuration)
        {
            configuration.GetSection(s_path).Bind(options);
        }
    }
}
