using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Helm.Internal;

/// <summary>Marks that AddHelm ran, so a second call adds nothing.</summary>
internal sealed class HelmMarker;

/// <summary>Binds <see cref="HelmOptions"/> from <c>RollbackKit:Helm</c> when the application registered an <see cref="IConfiguration"/>.</summary>
internal sealed class HelmOptionsSetup(IServiceProvider services) : IConfigureOptions<HelmOptions>
{
    public void Configure(HelmOptions options)
    {
        var configuration = services.GetService<IConfiguration>();
        configuration?.GetSection(HelmOptions.SectionName).Bind(options);
    }
}
