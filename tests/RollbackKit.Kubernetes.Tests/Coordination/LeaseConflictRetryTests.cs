using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Kubernetes.Coordination;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Tests.Coordination;

/// <summary>The 409 conflict retry of lease updates: same limits as every read-modify-write (ConflictRetries), then a clear outcome.</summary>
public sealed class LeaseConflictRetryTests : IAsyncLifetime
{
    private const string Namespace = "rollbackkit";
    private const string Lease = "rollbackkit-leader";
    private readonly ObservableFakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _logger = new();
    private KubernetesApiEmulator _emulator = null!;
    private KubernetesApi _api = null!;

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _api = new KubernetesApi(TestSupport.Options(_emulator), _time, _logger, null);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _emulator.DisposeAsync();
    }

    private LeaseClient Client => new(_api, _time);

    private int Updates => _emulator.Requests.Count(r => r.Verb == "update" && r.Resource == "leases");

    [Fact]
    public async Task Renew_ConflictsWithinBudget_RereadsAndRenews()
    {
        Assert.True(await Client.TryAcquireAsync(Namespace, Lease, "replica-a", TimeSpan.FromSeconds(15), CancellationToken.None));
        _emulator.InjectFaults(3, 409, verb: "update", resource: "leases");

        var renewed = await Client.RenewAsync(Namespace, Lease, "replica-a", TimeSpan.FromSeconds(15), CancellationToken.None);

        Assert.True(renewed);
        Assert.Equal(4, Updates);
        Assert.Equal(3, _logger.Collector.GetSnapshot().Count(r => r.Id.Id == 3002 && r.Message.Contains("renewing lease rollbackkit/rollbackkit-leader", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Renew_ConflictsBeyondBudget_FailsNamingTheLeaseAndTheAttempts()
    {
        Assert.True(await Client.TryAcquireAsync(Namespace, Lease, "replica-a", TimeSpan.FromSeconds(15), CancellationToken.None));
        _emulator.InjectFaults(100, 409, verb: "update", resource: "leases");

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.RenewAsync(Namespace, Lease, "replica-a", TimeSpan.FromSeconds(15), CancellationToken.None));

        Assert.Equal(409, ex.StatusCode);
        Assert.Contains("gave up renewing lease rollbackkit/rollbackkit-leader after 6 conflicting updates (409)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(6, Updates);
    }

    [Fact]
    public async Task TryAcquire_ConflictsBeyondBudget_ReturnsFalseAfterConflictRetriesPlusOneWrites()
    {
        _emulator.InjectFaults(100, 409, verb: "create", resource: "leases");

        var acquired = await Client.TryAcquireAsync(Namespace, Lease, "replica-a", TimeSpan.FromSeconds(15), CancellationToken.None);

        Assert.False(acquired);
        Assert.Equal(6, _emulator.Requests.Count(r => r.Verb == "create" && r.Resource == "leases"));
        Assert.Equal(6, _emulator.Requests.Count(r => r.Verb == "get" && r.Resource == "leases"));
    }

    [Fact]
    public async Task Release_ConflictsBeyondBudget_GivesUpQuietlyAndTheLeaseStaysUntilItExpires()
    {
        Assert.True(await Client.TryAcquireAsync(Namespace, Lease, "replica-a", TimeSpan.FromSeconds(15), CancellationToken.None));
        _emulator.InjectFaults(100, 409, verb: "update", resource: "leases");

        await Client.ReleaseAsync(Namespace, Lease, "replica-a", CancellationToken.None);

        Assert.Equal(6, Updates);
        Assert.Equal("replica-a", _emulator.Get("coordination.k8s.io/v1", "leases", Namespace, Lease)?["spec"]?["holderIdentity"]?.GetValue<string>());
    }

    [Fact]
    public async Task ConflictPipeline_NoConflictRetries_RunsTheBodyOnce()
    {
        var calls = 0;
        var options = TestSupport.Options(_emulator);
        options.ConflictRetries = 0;
        using var noRetries = new KubernetesApi(options, _time, _logger, null);

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => noRetries.RetryOnConflictAsync<int>("patching x", _ =>
        {
            calls++;
            throw new KubernetesApiException(409, "conflict", transient: false);
        }, CancellationToken.None));

        Assert.Equal(1, calls);
        Assert.Contains("gave up patching x after 1 conflicting updates (409)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Level > LogLevel.Information);
    }
}
