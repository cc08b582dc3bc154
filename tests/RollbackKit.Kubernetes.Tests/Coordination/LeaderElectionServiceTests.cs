using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Coordination;

public sealed class LeaderElectionServiceTests : IAsyncLifetime
{
    private KubernetesApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await KubernetesApiEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task HostedService_Starts_BecomesLeaderAndReleasesOnStop()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging();
        services.AddRollbackKit().AddKubernetesLeaderElection(o => o.HolderIdentity = "replica-1");
        services.Configure<KubernetesOptions>(o => o.Server = _emulator.BaseAddress);
        await using var sp = services.BuildServiceProvider();
        var election = sp.GetRequiredService<ILeaderElection>();
        var became = new TaskCompletionSource<bool>();
        election.LeadershipChanged += (_, leader) => became.TrySetResult(leader);
        var service = sp.GetServices<IHostedService>().Single(s => s is RollbackKit.Kubernetes.Coordination.LeaderElectionService);
        await service.StartAsync(CancellationToken.None);
        Assert.True(await became.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(election.IsLeader);
        Assert.True(await sp.GetRequiredService<RollbackKit.Monitoring.IMonitorLeadership>().IsLeaderAsync(CancellationToken.None));
        Assert.Equal("replica-1", _emulator.Get("coordination.k8s.io/v1", "leases", "default", "rollbackkit-leader")!["spec"]!["holderIdentity"]!.GetValue<string>());
        await service.StopAsync(CancellationToken.None);
        Assert.False(election.IsLeader);
        Assert.Null(_emulator.Get("coordination.k8s.io/v1", "leases", "default", "rollbackkit-leader")!["spec"]!["holderIdentity"]);
    }
}
