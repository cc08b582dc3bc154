using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using RollbackKit.Journal;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Hosting;

/// <summary>Relative journal and evidence paths mean the host's content root, not whatever the current directory is.</summary>
public sealed class ContentRootPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rbk-content-root-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ServiceProvider Build(IHostEnvironment? environment, Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (environment is not null)
        {
            services.AddSingleton(environment);
        }

        services.AddRollbackKit(o => o.MonitorEnabled = false);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void RelativePaths_WithAHostEnvironment_ResolveAgainstContentRootAndTheJournalIsCreatedThere()
    {
        using var provider = Build(new HostingEnvironment { ContentRootPath = _root }, new Dictionary<string, string?>
        {
            ["RollbackKit:Workflow:JournalPath"] = "data/journal.jsonl",
            ["RollbackKit:Workflow:EvidenceDirectory"] = "./data/evidence",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();

        var journal = Path.Combine(_root, "data", "journal.jsonl");
        Assert.Equal(journal, provider.GetRequiredService<IOptions<JournalOptions>>().Value.Path);
        Assert.Equal(Path.Combine(_root, "data", "evidence"), provider.GetRequiredService<IOptions<WorkflowOptions>>().Value.EvidenceDirectory);
        Assert.Equal(journal, provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value.Workflow.JournalPath);
        Assert.True(File.Exists(journal), "the start check creates the journal under the content root");
    }

    [Fact]
    public void DefaultPaths_WithAHostEnvironment_LiveUnderTheContentRoot()
    {
        using var provider = Build(new HostingEnvironment { ContentRootPath = _root }, []);

        var options = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;

        Assert.Equal(Path.Combine(_root, "rollbackkit", "journal.jsonl"), options.Workflow.JournalPath);
        Assert.Equal(Path.Combine(_root, "rollbackkit", "evidence"), options.Workflow.EvidenceDirectory);
    }

    [Fact]
    public void AbsolutePaths_WithAHostEnvironment_AreKept()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), "rbk-elsewhere", "journal.jsonl");
        using var provider = Build(new HostingEnvironment { ContentRootPath = _root }, new Dictionary<string, string?> { ["RollbackKit:Workflow:JournalPath"] = elsewhere });

        Assert.Equal(elsewhere, provider.GetRequiredService<IOptions<JournalOptions>>().Value.Path);
    }

    [Fact]
    public void RelativePaths_WithoutAHostEnvironment_StayRelativeToTheCurrentDirectory()
    {
        using var provider = Build(null, new Dictionary<string, string?> { ["RollbackKit:Workflow:JournalPath"] = "data/journal.jsonl" });

        Assert.Equal("data/journal.jsonl", provider.GetRequiredService<IOptions<JournalOptions>>().Value.Path);
    }
}
