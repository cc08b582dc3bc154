using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Coordination;

/// <summary>An <see cref="IRollbackLock"/> backed by one coordination.k8s.io/v1 Lease per target.</summary>
internal sealed class KubernetesLeaseLock : IRollbackLock
{
    private readonly LeaseClient _leases;
    private readonly KubernetesLeaseLockOptions _options;
    private readonly ConcurrentDictionary<string, object> _held = new(StringComparer.Ordinal);

    public KubernetesLeaseLock(KubernetesApi api, TimeProvider time, IOptions<KubernetesLeaseLockOptions> options)
        : this(new LeaseClient(api, time), options.Value)
    {
    }

    internal KubernetesLeaseLock(LeaseClient leases, KubernetesLeaseLockOptions options)
    {
        _leases = leases;
        _options = options;
    }

    public string Identity => _options.HolderIdentity;

    public async ValueTask<IRollbackLockHandle?> TryAcquireAsync(string targetId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        var marker = new object();
        if (!_held.TryAdd(targetId, marker))
        {
            return null;
        }

        var leaseName = LeaseClient.LeaseName(_options.LeaseNamePrefix, targetId);
        try
        {
            if (!await _leases.TryAcquireAsync(_options.Namespace, leaseName, _options.HolderIdentity, _options.LeaseDuration, cancellationToken).ConfigureAwait(false))
            {
                _held.TryRemove(targetId, out _);
                return null;
            }
        }
        catch
        {
            _held.TryRemove(targetId, out _);
            throw;
        }

        return new LeaseHandle(this, targetId, leaseName);
    }

    /// <summary>The lease's <c>holderIdentity</c> while it is held (this replica's identity for a lock it holds); <see langword="null"/>
    /// when the lease is free, expired or cannot be read (the answer only names the holder, it decides nothing).</summary>
    public async ValueTask<string?> GetHolderAsync(string targetId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        if (_held.ContainsKey(targetId))
        {
            return _options.HolderIdentity;
        }

        try
        {
            var lease = await _leases.GetAsync(_options.Namespace, LeaseClient.LeaseName(_options.LeaseNamePrefix, targetId), cancellationToken).ConfigureAwait(false);
            return lease?.Spec?.HolderIdentity is { Length: > 0 } holder && !LeaseClient.IsExpired(lease, _leases.Time.GetUtcNow()) ? holder : null;
        }
        catch (KubernetesApiException)
        {
            return null;
        }
    }

    internal sealed class LeaseHandle : IRollbackLockHandle
    {
        private readonly KubernetesLeaseLock _owner;
        private readonly string _leaseName;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;
        private int _disposed;

        public LeaseHandle(KubernetesLeaseLock owner, string targetId, string leaseName)
        {
            _owner = owner;
            TargetId = targetId;
            _leaseName = leaseName;
            LockLost = _lost.Token;
            _renewal = RenewLoopAsync();
        }

        public string TargetId { get; }

        public CancellationToken LockLost { get; }

        public string LeaseName => _leaseName;

        /// <summary>Stops renewing without releasing, as if the process died (tests).</summary>
        internal async Task AbandonAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewal.ConfigureAwait(false);
        }

        private async Task RenewLoopAsync()
        {
            var options = _owner._options;
            var time = _owner._leases.Time;
            var lastRenewed = time.GetUtcNow();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.RenewInterval, time, _stop.Token).ConfigureAwait(false);
                    var renewed = await _owner._leases.RenewAsync(options.Namespace, _leaseName, options.HolderIdentity, options.LeaseDuration, _stop.Token).ConfigureAwait(false);
                    if (!renewed)
                    {
                        Lose("another holder took the lease");
                        return;
                    }

                    lastRenewed = time.GetUtcNow();
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (KubernetesApiException ex)
                {
                    if (time.GetUtcNow() - lastRenewed >= options.LeaseDuration)
                    {
                        Lose($"renewal failed for longer than the lease duration: {ex.Message}");
                        return;
                    }
                }
            }
        }

        private void Lose(string reason)
        {
            Log.LeaseLost(_owner._leases.Api.Logger, _leaseName, reason);
            _lost.Cancel();
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewal.ConfigureAwait(false);
            try
            {
                if (!_lost.IsCancellationRequested)
                {
                    var options = _owner._options;
                    using var timeout = new CancellationTokenSource(_owner._leases.Api.Options.RequestTimeout * 2, _owner._leases.Time);
                    await _owner._leases.ReleaseAsync(options.Namespace, _leaseName, options.HolderIdentity, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is KubernetesApiException or OperationCanceledException)
            {
                // The lease expires on its own.
            }
            finally
            {
                _owner._held.TryRemove(TargetId, out _);
                _stop.Dispose();
                _lost.Dispose();
            }
        }
    }
}
