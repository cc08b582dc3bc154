using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Sharding;

namespace RollbackKit.Kubernetes.Sharding;

/// <summary>
/// Shard ownership through one Lease per shard, each held by KubernetesClient's <see cref="LeaderElector"/> over a
/// <see cref="LeaseLock"/>. While this replica holds fewer than its capacity, it runs an elector for every shard it does
/// not hold (each acquires the lease once it is free, expired or deleted); at capacity it stops the electors that are
/// still acquiring. A held shard is kept until a renewal fails for <c>RenewDeadline</c> or the replica stops.
/// </summary>
/// <remarks>
/// The elector measures expiry with the wall clock (it reads <see cref="DateTime.UtcNow"/>, not a
/// <see cref="TimeProvider"/>): a lease is taken over once this replica has seen the same record, unchanged, for
/// <c>LeaseDuration</c>.
/// </remarks>
internal sealed class KubernetesShardOwnership : IShardOwnership, IDisposable
{
    private readonly KubernetesApi _api;
    private readonly KubernetesShardingOptions _options;
    private readonly int _shardCount;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly ShardState[] _states;
    private int[] _owned = [];
    private TaskCompletionSource _capacityFreed = NewSignal();

    public KubernetesShardOwnership(KubernetesApi api, IOptions<ShardingOptions> sharding, IOptions<KubernetesShardingOptions> options)
    {
        _api = api;
        _options = options.Value;
        _shardCount = Math.Max(1, sharding.Value.Shards);
        _capacity = _options.Capacity(_shardCount);
        _states = new ShardState[_shardCount];
        for (var i = 0; i < _states.Length; i++)
        {
            _states[i] = new ShardState(i, _options.LeaseName(i));
        }
    }

    public event EventHandler? OwnershipChanged;

    public int ShardCount => _shardCount;

    /// <summary>The most shards this replica holds at once.</summary>
    public int Capacity => _capacity;

    public string Identity => _options.HolderIdentity;

    public bool Owns(int shard) => (uint)shard < (uint)_states.Length && Volatile.Read(ref _states[shard].Leading);

    public IReadOnlyList<int> GetOwnedShards() => Volatile.Read(ref _owned);

    /// <summary>Runs one election loop per shard until <paramref name="stoppingToken"/> is cancelled; then releases (when configured).</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var expected = Math.Max(1, _options.ExpectedReplicas);
        if (expected > 1 && (expected - 1) * _capacity < _shardCount)
        {
            Log.ShardCapacityLow(_api.Logger, expected, _capacity, _shardCount);
        }

        var loops = new Task[_states.Length];
        for (var i = 0; i < loops.Length; i++)
        {
            var state = _states[i];
            loops[i] = Task.Run(() => RunShardAsync(state, stoppingToken), CancellationToken.None);
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task RunShardAsync(ShardState state, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WaitForCapacityAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lock (_gate)
            {
                state.Attempt = attempt;
                state.Release = false;
            }

            using var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(_api.Client, _options.Namespace, state.LeaseName, _options.HolderIdentity))
            {
                LeaseDuration = _options.LeaseDuration,
                RenewDeadline = _options.RenewDeadline,
                RetryPeriod = _options.RetryPeriod,
            });
            elector.OnStartedLeading += () => Gained(state, attempt);
            elector.OnStoppedLeading += () => Lost(state);
            elector.OnError += e => Log.ShardElectionError(_api.Logger, state.LeaseName, e?.Message ?? "unknown error");
            var wasLeading = false;
            var release = false;
            try
            {
                await elector.RunUntilLeadershipLostAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested)
            {
                // Stopping, or this replica reached its capacity while the elector was still acquiring.
            }
#pragma warning disable CA1031 // One shard's failing election must not stop the others; it starts over.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ShardElectionError(_api.Logger, state.LeaseName, ex.Message);
            }
            finally
            {
                lock (_gate)
                {
                    wasLeading = state.WasLeading;
                    release = state.Release;
                    state.WasLeading = false;
                    state.Release = false;
                    state.Attempt = null;
                }

                // Ends a renewal the elector may have left running after its renew deadline.
                await attempt.CancelAsync().ConfigureAwait(false);
            }

            // Given back: a shard won above capacity, or a lease an elector stopped at capacity may have won meanwhile
            // (the release deletes the lease only while it names this replica); on stop, the shards held (when configured).
            if (stoppingToken.IsCancellationRequested ? wasLeading && _options.ReleaseOnStop : release)
            {
                await ReleaseAsync(state.LeaseName).ConfigureAwait(false);
            }

            if (!stoppingToken.IsCancellationRequested && !wasLeading)
            {
                await DelayAsync(_options.RetryPeriod, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _api.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task freed;
            lock (_gate)
            {
                if (_owned.Length < _capacity)
                {
                    return;
                }

                freed = _capacityFreed.Task;
            }

            await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Gained(ShardState state, CancellationTokenSource attempt)
    {
        int owned;
        List<CancellationTokenSource>? stop = null;
        lock (_gate)
        {
            state.WasLeading = true;
            if (_owned.Length >= _capacity)
            {
                // Two electors won at once: give this one back.
                state.Release = true;
                stop = [attempt];
            }
            else
            {
                Volatile.Write(ref state.Leading, true);
                _owned = [.. _owned.Append(state.Shard).Order()];
                if (_owned.Length >= _capacity)
                {
                    // At capacity: stop the electors still acquiring other shards.
                    foreach (var other in _states)
                    {
                        if (!other.Leading && other.Attempt is { } acquiring)
                        {
                            // A write of that elector may already be on its way; if it wins, the lease is given back.
                            other.Release = true;
                            (stop ??= []).Add(acquiring);
                        }
                    }
                }
            }

            owned = _owned.Length;
        }

        if (stop is not null)
        {
            foreach (var cts in stop)
            {
                Cancel(cts);
            }
        }

        if (!state.Leading)
        {
            return;
        }

        Log.ShardGained(_api.Logger, state.Shard, state.LeaseName, owned, _capacity, _options.HolderIdentity);
        OwnershipChanged?.Invoke(this, EventArgs.Empty);
    }

    private void Lost(ShardState state)
    {
        int owned;
        TaskCompletionSource freed;
        lock (_gate)
        {
            if (!state.Leading)
            {
                return;
            }

            Volatile.Write(ref state.Leading, false);
            _owned = [.. _owned.Where(s => s != state.Shard)];
            owned = _owned.Length;
            freed = _capacityFreed;
            _capacityFreed = NewSignal();
        }

        Log.ShardLost(_api.Logger, state.Shard, state.LeaseName, owned, _options.HolderIdentity);
        OwnershipChanged?.Invoke(this, EventArgs.Empty);
        freed.TrySetResult();
    }

    /// <summary>Deletes the lease if it still names this replica (a resourceVersion precondition guards the delete).</summary>
    private async Task ReleaseAsync(string leaseName)
    {
        using var timeout = new CancellationTokenSource(_api.Options.RequestTimeout * 2, _api.Time);
        try
        {
            var lease = await _api.Client.CoordinationV1.ReadNamespacedLeaseAsync(leaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != _options.HolderIdentity)
            {
                return;
            }

            await _api.Client.CoordinationV1.DeleteNamespacedLeaseAsync(
                leaseName,
                _options.Namespace,
                new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion, Uid = lease.Metadata.Uid } },
                cancellationToken: timeout.Token).ConfigureAwait(false);
            Log.ShardReleased(_api.Logger, leaseName, _options.HolderIdentity);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            Log.ShardReleaseFailed(_api.Logger, leaseName, ex.Message);
        }
    }

    private static void Cancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That attempt already ended.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        // Nothing is held outside RunAsync; the attempts are disposed by their loops.
    }

    /// <summary>One shard's election state; fields guarded by the owner's gate.</summary>
    private sealed class ShardState(int shard, string leaseName)
    {
        public int Shard { get; } = shard;

        public string LeaseName { get; } = leaseName;

        public bool Leading;

        public bool WasLeading;

        public bool Release;

        public CancellationTokenSource? Attempt;
    }
}

/// <summary>Runs the shard elections for the life of the host (a separate type so the registration can de-duplicate it).</summary>
internal sealed class KubernetesShardingService(KubernetesShardOwnership ownership) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => ownership.RunAsync(stoppingToken);
}
