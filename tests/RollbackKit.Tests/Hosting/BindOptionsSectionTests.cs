using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Tests.Hosting;

public class BindOptionsSectionTests
{
    public sealed class AdapterOptions
    {
        public string? Channel { get; set; }
    }

    [Fact]
    public async Task BindOptionsSection_DefaultSection_BindsRollbackKitSubsection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Adapter:Channel"] = "#rollbacks",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddRollbackKit().BindOptionsSection<AdapterOptions>("Adapter").BindOptionsSection<AdapterOptions>("Adapter");
        await using var provider = services.BuildServiceProvider();

        Assert.Equal("#rollbacks", provider.GetRequiredService<IOptions<AdapterOptions>>().Value.Channel);
        Assert.Single(services, d => d.ImplementationType?.Name.StartsWith("BindSubsection", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task BindOptionsSection_CustomSection_FollowsIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Adapter:Channel"] = "#wrong",
            ["Ops:Rollbacks:Adapter:Channel"] = "#ops",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddRollbackKit(configuration.GetSection("Ops:Rollbacks")).BindOptionsSection<AdapterOptions>("Adapter");
        await using var provider = services.BuildServiceProvider();

        Assert.Equal("#ops", provider.GetRequiredService<IOptions<AdapterOptions>>().Value.Channel);
    }

    [Fact]
    public async Task BindOptionsSection_NoConfiguration_LeavesDefaults()
    {
        var services = new ServiceCollection();
        services.AddRollbackKit().BindOptionsSection<AdapterOptions>("Adapter");
        await using var provider = services.BuildServiceProvider();

        Assert.Null(provider.GetRequiredService<IOptions<AdapterOptions>>().Value.Channel);
    }
}
