using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes.Coordination;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Tests;

public sealed class KubernetesRegistrationTests
{
    private static ServiceProvider Build(Action<IRollbackKitBuilder> configure, Dictionary<string, string?>? config = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(config ?? []).Build());
        services.AddLogging();
        configure(services.AddRollbackKit());
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddKubernetes_RegistersEveryStepType()
    {
        using var sp = Build(b => b.AddKubernetes(o => o.Server = new Uri("http://127.0.0.1:1")));
        var types = sp.GetServices<IPlaybookStepFactory>().Select(f => f.Type).Where(t => t.StartsWith("kubernetes.", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(
            ["kubernetes.configmap.revert", "kubernetes.evidence", "kubernetes.pause", "kubernetes.restart", "kubernetes.resume", "kubernetes.scale", "kubernetes.traffic", "kubernetes.undo", "kubernetes.wait"],
            types);
    }

    [Fact]
    public void AddKubernetes_CalledTwice_RegistersFactoriesOnce()
    {
        using var sp = Build(b => b.AddKubernetes().AddKubernetes());
        Assert.Single(sp.GetServices<IPlaybookStepFactory>(), f => f.Type == "kubernetes.undo");
    }

    [Theory]
    [InlineData("kubernetes.undo", "toRevision", "abc")]
    [InlineData("kubernetes.wait", "timeout", "soon")]
    [InlineData("kubernetes.scale", "replicas", "-1")]
    [InlineData("kubernetes.evidence", "logLines", "many")]
    public void Create_InvalidSetting_ThrowsNamingTheSetting(string type, string setting, string value)
    {
        using var sp = Build(b => b.AddKubernetes());
        var factory = sp.GetServices<IPlaybookStepFactory>().Single(f => f.Type == type);
        var definition = new PlaybookStepDefinition { Type = type };
        definition.Settings[setting] = value;
        var ex = Assert.Throws<PlaybookConfigurationException>(() => factory.Create(definition));
        Assert.Equal(setting, ex.Setting);
        Assert.StartsWith($"Settings:{setting}:", ex.Message);
    }

    [Fact]
    public void Create_ScaleWithoutReplicas_Throws()
    {
        using var sp = Build(b => b.AddKubernetes());
        var factory = sp.GetServices<IPlaybookStepFactory>().Single(f => f.Type == "kubernetes.scale");
        Assert.Equal("replicas", Assert.Throws<PlaybookConfigurationException>(() => factory.Create(new PlaybookStepDefinition { Type = "kubernetes.scale" })).Setting);
    }

    [Fact]
    public void AddKubernetesLeaseLock_ReplacesTheInProcessLock_AndBindsConfiguration()
    {
        using var sp = Build(b => b.AddKubernetesLeaseLock(), new()
        {
            ["RollbackKit:Kubernetes:Server"] = "http://127.0.0.1:1",
            ["RollbackKit:Kubernetes:LeaseLock:Namespace"] = "ops",
            ["RollbackKit:Kubernetes:LeaseLock:HolderIdentity"] = "pod-1",
        });
        Assert.IsType<KubernetesLeaseLock>(sp.GetRequiredService<IRollbackLock>());
        Assert.Single(sp.GetServices<IRollbackLock>());
        var options = sp.GetRequiredService<IOptions<KubernetesLeaseLockOptions>>().Value;
        Assert.Equal("ops", options.Namespace);
        Assert.Equal("pod-1", options.HolderIdentity);
    }

    [Fact]
    public void AddKubernetesLeaseLock_RenewNotShorterThanDuration_FailsValidation()
    {
        using var sp = Build(b => b.AddKubernetesLeaseLock(o => o.RenewInterval = TimeSpan.FromSeconds(30)));
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<KubernetesLeaseLockOptions>>().Value);
        Assert.Contains("RollbackKit:Kubernetes:LeaseLock", ex.Message);
    }

    [Fact]
    public async Task AddKubernetesLeaderElection_RegistersElectionAndHostedService()
    {
        await using var sp = Build(b => b.AddKubernetesLeaderElection(o => o.HolderIdentity = "me"));
        var election = sp.GetRequiredService<ILeaderElection>();
        Assert.Equal("me", election.Identity);
        Assert.False(election.IsLeader);
        Assert.Contains(sp.GetServices<IHostedService>(), s => s is LeaderElectionService);
        Assert.Same(election, sp.GetRequiredService<RollbackKit.Monitoring.IMonitorLeadership>());
        Assert.False(await sp.GetRequiredService<RollbackKit.Monitoring.IMonitorLeadership>().IsLeaderAsync(CancellationToken.None));
    }
}
