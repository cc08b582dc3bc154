using RollbackKit;
using RollbackKit.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the options of RollbackKit's management API.</summary>
public static class RollbackKitApiRollbackKitBuilderExtensions
{
    /// <summary>Registers <see cref="RollbackKitApiOptions"/> (for example the authorization policy name) for <c>MapRollbackKitApi()</c>.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddRollbackKitApi(this IRollbackKitBuilder builder, Action<RollbackKitApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RollbackKitApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder;
    }
}
