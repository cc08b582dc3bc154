using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Tests;

public class HelmRollbackKitBuilderExtensionsTests
{
    private static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddHelm_MissingBinary_StartupValidationNamesKeyPath()
    {
        using var provider = Build(s => s.AddRollbackKit().AddHelm(o => o.HelmPath = "/x/helm"));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("RollbackKit:Helm:HelmPath: helm binary not found at '/x/helm'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddHelm_BareNameNotOnPath_StartupValidationSaysPath()
    {
        using var provider = Build(s => s.AddRollbackKit().AddHelm(o => o.HelmPath = "helm-does-not-exist-anywhere"));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HelmOptions>>().Value);

        Assert.Contains("RollbackKit:Helm:HelmPath: helm binary 'helm-does-not-exist-anywhere' not found on PATH", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddHelm_FromConfiguration_BindsSectionAndValidates()
    {
        var helm = HelmBinaries.Path("3");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Helm:HelmPath"] = helm,
            ["RollbackKit:Helm:KubeContext"] = "prod",
            ["RollbackKit:Helm:WaitStrategy"] = "legacy",
            ["RollbackKit:Helm:Timeout"] = "00:03:00",
        }).Build();
        using var provider = Build(s =>
        {
            s.AddSingleton<IConfiguration>(configuration);
            s.AddRollbackKit().AddHelm();
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<HelmOptions>>().Value;

        Assert.Equal(helm, options.HelmPath);
        Assert.Equal("prod", options.KubeContext);
        Assert.Equal("legacy", options.WaitStrategy);
        Assert.Equal(TimeSpan.FromMinutes(3), options.Timeout);
    }

    [Fact]
    public void AddHelm_InvalidOptions_ListsEveryKey()
    {
        using var provider = Build(s => s.AddRollbackKit().AddHelm(o =>
        {
            o.HelmPath = HelmBinaries.Path("4");
            o.KubeConfig = "/no/kubeconfig";
            o.Timeout = TimeSpan.Zero;
            o.CommandTimeout = TimeSpan.FromSeconds(-1);
            o.WaitStrategy = "hookOnly";
            o.MaxOutputChars = 10;
        }));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HelmOptions>>().Value);

        Assert.Contains("RollbackKit:Helm:KubeConfig: kubeconfig file not found at '/no/kubeconfig'", ex.Failures);
        Assert.Contains("RollbackKit:Helm:Timeout: must be positive, got '00:00:00'", ex.Failures);
        Assert.Contains("RollbackKit:Helm:CommandTimeout: must be positive, got '-00:00:01'", ex.Failures);
        Assert.Contains("RollbackKit:Helm:WaitStrategy: must be 'watcher' or 'legacy', got 'hookOnly'", ex.Failures);
        Assert.Contains("RollbackKit:Helm:MaxOutputChars: must be at least 1024, got 10", ex.Failures);
        Assert.DoesNotContain(ex.Failures, f => f.Contains("HelmPath", StringComparison.Ordinal));
    }

    [Fact]
    public void AddHelm_RegistersTheThreeStepFactoriesOnce()
    {
        using var provider = Build(s => s.AddRollbackKit().AddHelm().AddHelm());

        var types = provider.GetServices<IPlaybookStepFactory>().Select(f => f.Type).Where(t => t.StartsWith("helm.", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        Assert.Equal(["helm.history", "helm.rollback", "helm.status"], types);
    }

    [Fact]
    public void AddHelm_PlaybookWithBadHelmSetting_FailsStartNamingKeyPath()
    {
        var helm = HelmBinaries.Path("3");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Helm:HelmPath"] = helm,
            ["RollbackKit:Playbook:Steps:0:Type"] = "helm.rollback",
            ["RollbackKit:Playbook:Steps:0:Timeout"] = "00:05:00",
            ["RollbackKit:Playbook:Steps:0:Settings:release"] = "checkout",
            ["RollbackKit:Playbook:Steps:0:Settings:cleanupOnFail"] = "maybe",
        }).Build();
        using var provider = Build(s =>
        {
            s.AddSingleton<IConfiguration>(configuration);
            s.AddRollbackKit().AddHelm();
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("RollbackKit:Playbook:Steps:0:Settings:cleanupOnFail: must be true or false, got 'maybe'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddHelm_ValidPlaybookFromConfiguration_StartsAndCreatesStep()
    {
        var helm = HelmBinaries.Path("4");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Helm:HelmPath"] = helm,
            ["RollbackKit:Playbook:Steps:0:Type"] = "helm.rollback",
            ["RollbackKit:Playbook:Steps:0:Name"] = "Roll back checkout",
            ["RollbackKit:Playbook:Steps:0:Timeout"] = "00:05:00",
            ["RollbackKit:Playbook:Steps:0:Settings:release"] = "checkout",
            ["RollbackKit:Playbook:Steps:0:Settings:namespace"] = "payments",
            ["RollbackKit:Playbook:Steps:0:Settings:wait"] = "true",
            ["RollbackKit:Playbook:Steps:0:Settings:cleanupOnFail"] = "true",
        }).Build();
        using var provider = Build(s =>
        {
            s.AddSingleton<IConfiguration>(configuration);
            s.AddRollbackKit().AddHelm();
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var definition = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value.Playbook.Steps[0];
        var factory = provider.GetServices<IPlaybookStepFactory>().Single(f => f.Type == definition.Type);
        var step = (HelmRollbackStep)factory.Create(definition);

        Assert.Equal("Roll back checkout", step.Name);
        Assert.Equal("checkout", step.Settings.Release);
        Assert.True(step.Settings.CleanupOnFail);
        Assert.Equal(TimeSpan.FromMinutes(4.5), step.BuildFlags(provider.GetRequiredService<IOptions<HelmOptions>>().Value).Timeout);
    }
}
