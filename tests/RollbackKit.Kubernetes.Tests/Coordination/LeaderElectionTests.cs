using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Kubernetes.Coordination;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Tests.Coordination;

public sealed class LeaderElectionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly List<IDisposable> _disposables = [];
    private KubernetesApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await KubernetesApiEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        await _emulator.DisposeAsync();
    }

    private KubernetesLeaderElection Elector(string identity)
    {
        var api = new KubernetesApi(TestSupport.Options(_emulator), TimeProvider.System, NullLogger.Instance, null);
        var election = new KubernetesLeaderElection(new LeaseClient(api, _time), new KubernetesLeaderElectionOptions
        {
            Namespace = "rollbackkit",
            HolderIdentity = identity,
            LeaseDuration = TimeSpan.FromSeconds(15),
            RetryPeriod = TimeSpan.FromSeconds(5),
        });
        _disposables.Add(api);
        _disposables.Add(election);
        return election;
    }

    [Fact]
    public async Task TryAcquireOrRenew_TwoReplicas_OnlyOneLeads()
    {
        var a = Elector("a");
        var b = Elector("b");
        var changes = new List<bool>();
        a.LeadershipChanged += (_, leader) => changes.Add(leader);
        Assert.True(await a.TryAcquireOrRenewAsync());
        Assert.False(await b.TryAcquireOrRenewAsync());
        Assert.True(a.IsLeader);
        Assert.False(a.LeadershipToken.IsCancellationRequested);
        Assert.True(b.LeadershipToken.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.TryAcquireOrRenewAsync());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await b.TryAcquireOrRenewAsync());
        Assert.Equal([true], changes);
    }

    [Fact]
    public async Task TryAcquireOrRenew_LeaderStops_FollowerTakesOverAfterExpiry_OldLeaderSteppsDown()
    {
        var a = Elector("a");
        var b = Elector("b");
        Assert.True(await a.TryAcquireOrRenewAsync());
        var token = a.LeadershipToken;
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await b.TryAcquireOrRenewAsync());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await b.TryAcquireOrRenewAsync());
        Assert.False(await a.TryAcquireOrRenewAsync());
        Assert.False(a.IsLeader);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task Release_Leader_FollowerLeadsImmediately()
    {
        var a = Elector("a");
        var b = Elector("b");
        Assert.True(await a.TryAcquireOrRenewAsync());
        await a.ReleaseAsync();
        Assert.False(a.IsLeader);
        Assert.True(await b.TryAcquireOrRenewAsync());
    }
}
