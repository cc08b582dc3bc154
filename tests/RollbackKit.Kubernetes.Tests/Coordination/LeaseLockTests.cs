using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes.Coordination;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Tests.Coordination;

public sealed class LeaseLockTests : IAsyncLifetime
{
    private static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(5);
    private readonly ObservableFakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly List<KubernetesApi> _apis = [];
    private KubernetesApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await KubernetesApiEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var api in _apis)
        {
            api.Dispose();
        }

        await _emulator.DisposeAsync();
    }

    private KubernetesLeaseLock Lock(string identity)
    {
        var api = new KubernetesApi(TestSupport.Options(_emulator), TimeProvider.System, NullLogger.Instance, null);
        _apis.Add(api);
        return new KubernetesLeaseLock(new LeaseClient(api, _time), new KubernetesLeaseLockOptions
        {
            Namespace = "rollbackkit",
            HolderIdentity = identity,
            LeaseDuration = TimeSpan.FromSeconds(15),
            RenewInterval = RenewInterval,
        });
    }

    private string? Holder(string lease) =>
        _emulator.Get("coordination.k8s.io/v1", "leases", "rollbackkit", lease)?["spec"]?["holderIdentity"]?.GetValue<string>();

    [Fact]
    public async Task TryAcquire_200ConcurrentAcrossTwoReplicas_ExactlyOneHolder()
    {
        var a = Lock("replica-a");
        var b = Lock("replica-b");
        var attempts = Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? a : b).TryAcquireAsync("shop/checkout").AsTask()).ToList();
        var handles = await Task.WhenAll(attempts);
        var held = handles.Where(h => h is not null).ToList();
        Assert.Single(held);
        var lease = LeaseClient.LeaseName("rollbackkit-", "shop/checkout");
        Assert.StartsWith("rollbackkit-shop-checkout-", lease);
        Assert.Contains(Holder(lease), new[] { "replica-a", "replica-b" });
        await held[0]!.DisposeAsync();
        Assert.Null(Holder(lease));
    }

    [Fact]
    public async Task TryAcquire_HolderStopsRenewing_OtherAcquiresOnlyAfterExpiry()
    {
        var a = Lock("replica-a");
        var b = Lock("replica-b");
        var handle = (KubernetesLeaseLock.LeaseHandle)(await a.TryAcquireAsync("web"))!;
        await handle.AbandonAsync();

        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.Null(await b.TryAcquireAsync("web"));
        _time.Advance(TimeSpan.FromSeconds(2));
        await using var taken = await b.TryAcquireAsync("web");
        Assert.NotNull(taken);
        Assert.Equal("replica-b", Holder(handle.LeaseName));
        var lease = _emulator.Get("coordination.k8s.io/v1", "leases", "rollbackkit", handle.LeaseName)!;
        Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Handle_RenewsInBackground_KeepsLeaseBeyondItsDuration()
    {
        var a = Lock("replica-a");
        var b = Lock("replica-b");
        await using var handle = await a.TryAcquireAsync("api");
        var updates = _emulator.Requests.Count(r => r.Verb == "update");
        await _time.WaitForTimerAsync(RenewInterval);
        for (var renewal = 1; renewal <= 6; renewal++)
        {
            // The loop waits one renew interval, renews, then waits again: each wait means the previous renewal is done.
            _time.Advance(RenewInterval);
            await _time.WaitForTimerAsync(RenewInterval);
            Assert.Equal(updates + renewal, _emulator.Requests.Count(r => r.Verb == "update"));
        }

        Assert.Equal(TimeSpan.FromSeconds(30), _time.GetUtcNow() - _time.Start); // twice the lease duration
        Assert.Null(await b.TryAcquireAsync("api"));
        Assert.False(handle!.LockLost.IsCancellationRequested);
    }

    [Fact]
    public async Task Handle_AnotherHolderTookTheLease_CancelsLockLost()
    {
        var a = Lock("replica-a");
        var handle = (KubernetesLeaseLock.LeaseHandle)(await a.TryAcquireAsync("db"))!;
        _emulator.MergePatch("coordination.k8s.io/v1", "leases", "rollbackkit", handle.LeaseName, """{"spec":{"holderIdentity":"intruder"}}""");
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        handle.LockLost.Register(() => lost.TrySetResult());
        await _time.AdvanceWhenWaitingAsync(RenewInterval);
        await lost.Task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);
        await handle.DisposeAsync();
        Assert.Equal("intruder", Holder(handle.LeaseName));
    }

    [Fact]
    public async Task Handle_RenewalFailsLongerThanDuration_CancelsLockLost()
    {
        var a = Lock("replica-a");
        var handle = (KubernetesLeaseLock.LeaseHandle)(await a.TryAcquireAsync("cache"))!;
        _emulator.Forbid("get", "leases");
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        handle.LockLost.Register(() => lost.TrySetResult());

        // Renewals at 5 and 10 seconds fail but the lease (15 seconds) has not run out: the loop waits again.
        await _time.WaitForTimerAsync(RenewInterval);
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(RenewInterval);
            await _time.WaitForTimerAsync(RenewInterval);
            Assert.False(handle.LockLost.IsCancellationRequested);
        }

        // The renewal at 15 seconds fails too: the lease duration has passed since the last renewal.
        _time.Advance(RenewInterval);
        await lost.Task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);
        Assert.Equal(TimeSpan.FromSeconds(15), _time.GetUtcNow() - _time.Start);
        _emulator.Allow("get", "leases");
        await handle.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquire_SameReplicaTwice_SecondIsRefused()
    {
        var a = Lock("replica-a");
        await using var first = await a.TryAcquireAsync("same");
        Assert.NotNull(first);
        Assert.Null(await a.TryAcquireAsync("same"));
    }

    [Fact]
    public async Task TryAcquire_CreateConflictsThenSucceeds_ReReads()
    {
        var a = Lock("replica-a");
        _emulator.InjectFaults(2, 409, verb: "update", resource: "leases");
        _emulator.Create("coordination.k8s.io/v1", "leases", "rollbackkit", """{"metadata":{"name":"rollbackkit-old"},"spec":{"holderIdentity":"gone","leaseDurationSeconds":1,"renewTime":"2020-01-01T00:00:00.000000Z"}}""");
        await using var handle = await a.TryAcquireAsync("old");
        Assert.NotNull(handle);
        Assert.Equal("replica-a", Holder(LeaseClient.LeaseName("rollbackkit-", "old")));
    }

    [Theory]
    [InlineData("web", "rollbackkit-web")]
    [InlineData("payments/Checkout", "rollbackkit-payments-checkout-")]
    public void LeaseName_TargetIds_AreValidNames(string target, string expectedPrefix)
    {
        var name = LeaseClient.LeaseName("rollbackkit-", target);
        Assert.StartsWith(expectedPrefix, name);
        Assert.True(name.Length <= 63);
        Assert.Matches("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", name);
        Assert.True(LeaseClient.LeaseName("rollbackkit-", new string('x', 200)).Length <= 63);
    }
}
