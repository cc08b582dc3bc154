using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Tests;

/// <summary>The configuration shown in the package README loads, validates and builds its steps.</summary>
public sealed class ReadmeConfigurationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static string ReadmeJson()
    {
        var readme = File.ReadAllText(Path.Combine(HelmBinaries.RepositoryRoot(), "src", "RollbackKit.Helm", "README.md"));
        var start = readme.IndexOf("```json\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no JSON configuration block");
        start += "```json\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void ReadmeConfiguration_WithLocalPaths_ValidatesAndBuildsSteps()
    {
        var kubeconfig = _directory.File("kubeconfig");
        File.WriteAllText(kubeconfig, "apiVersion: v1\nkind: Config\n");
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(ReadmeJson())))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Only the machine-specific paths differ from the README.
                ["RollbackKit:Helm:HelmPath"] = HelmBinaries.Path("3"),
                ["RollbackKit:Helm:KubeConfig"] = kubeconfig,
                ["RollbackKit:Helm:HomeDirectory"] = _directory.File("helm-home"),
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddRollbackKit().AddHelm();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        var helm = provider.GetRequiredService<IOptions<HelmOptions>>().Value;
        Assert.Equal("prod", helm.KubeContext);
        Assert.Equal("watcher", helm.WaitStrategy);
        var definition = options.Playbook.Steps.Single(s => s.Type == HelmStepTypes.Rollback);
        Assert.Equal(TimeSpan.FromMinutes(5), definition.Timeout);
        Assert.Equal(1, definition.Retries);
        Assert.Equal(TimeSpan.FromMinutes(2), definition.ExpectedDuration);
        var step = (HelmRollbackStep)provider.GetServices<IPlaybookStepFactory>().Single(f => f.Type == definition.Type).Create(definition);
        Assert.Equal("Roll back checkout", step.Name);
        Assert.Equal(("checkout", "payments", true, true), (step.Settings.Release, step.Settings.Namespace, step.Settings.Wait, step.Settings.CleanupOnFail));
        Assert.Equal(TimeSpan.FromMinutes(4.5), step.BuildFlags(helm).Timeout);
    }

    public void Dispose() => _directory.Dispose();
}
