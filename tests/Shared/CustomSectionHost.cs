using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RollbackKit.TestSupport;

/// <summary>
/// Builds a service provider the way an application does when it keeps RollbackKit's settings in a section of its own:
/// <c>AddRollbackKit(configuration.GetSection("MyApp:Rollback"))</c>, then whatever adapters the test adds.
/// </summary>
internal static class CustomSectionHost
{
    public const string Section = "MyApp:Rollback";

    public static ServiceProvider Build(Dictionary<string, string?> settings, Action<IRollbackKitBuilder, IConfiguration> configure)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        configure(services.AddRollbackKit(configuration.GetSection(Section)), configuration);
        return services.BuildServiceProvider();
    }
}
