using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Monitoring;

namespace RollbackKit.Kubernetes.Coordination;

/// <summary>Lease-based leader election; rounds run by <see cref="LeaderElectionService"/> every RetryPeriod.</summary>
internal sealed class KubernetesLeaderElection : ILeaderElection, IMonitorLeadership, IDisposable
{
    private readonly LeaseClient _leases;
    private readonly KubernetesLeaderElectionOptions _options;
    private readonly object _gate = new();
    private CancellationTokenSource _leadership = CreateCancelled();
    private DateTimeOffset _lastRenewed;

    public KubernetesLeaderElection(KubernetesApi api, TimeProvider time, IOptions<KubernetesLeaderElectionOptions> options)
        : this(new LeaseClient(api, time), options.Value)
    {
    }

    internal KubernetesLeaderElection(LeaseClient leases, KubernetesLeaderElectionOptions options)
    {
        _leases = leases;
        _options = options;
    }

    public event EventHandler<bool>? LeadershipChanged;

    public string Identity => _options.HolderIdentity;

    public bool IsLeader { get; private set; }

    public CancellationToken LeadershipToken
    {
        get
        {
            lock (_gate)
            {
                return _leadership.Token;
            }
        }
    }

    internal KubernetesLeaderElectionOptions Options => _options;

    internal TimeProvider Time => _leases.Time;

    private static CancellationTokenSource CreateCancelled()
    {
        var cts = new CancellationTokenSource();
        cts.Cancel();
        return cts;
    }

    public async ValueTask<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken = default)
    {
        bool leader;
        try
        {
            leader = IsLeader
                ? await _leases.RenewAsync(_options.Namespace, _options.LeaseName, Identity, _options.LeaseDuration, cancellationToken).ConfigureAwait(false)
                : await _leases.TryAcquireAsync(_options.Namespace, _options.LeaseName, Identity, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex)
        {
            Log.ElectionFailed(_leases.Api.Logger, ex.Message);
            leader = IsLeader && _leases.Time.GetUtcNow() - _lastRenewed < _options.LeaseDuration;
        }

        if (leader)
        {
            _lastRenewed = _leases.Time.GetUtcNow();
        }

        SetLeader(leader);
        return leader;
    }

    /// <summary>The monitor asks before each tick; the answer is the last election round's (run by the hosted service).</summary>
    public ValueTask<bool> IsLeaderAsync(CancellationToken cancellationToken) => ValueTask.FromResult(IsLeader);

    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (!IsLeader)
        {
            return;
        }

        SetLeader(false);
        await _leases.ReleaseAsync(_options.Namespace, _options.LeaseName, Identity, cancellationToken).ConfigureAwait(false);
    }

    private void SetLeader(bool leader)
    {
        CancellationTokenSource? ended = null;
        lock (_gate)
        {
            if (leader == IsLeader)
            {
                return;
            }

            IsLeader = leader;
            if (leader)
            {
                _leadership = new CancellationTokenSource();
            }
            else
            {
                ended = _leadership;
            }
        }

        ended?.Cancel();
        Log.LeadershipChanged(_leases.Api.Logger, _options.LeaseName, leader, Identity);
        LeadershipChanged?.Invoke(this, leader);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _leadership.Dispose();
        }
    }
}

/// <summary>Runs election rounds every RetryPeriod and releases leadership on shutdown.</summary>
internal sealed class LeaderElectionService(KubernetesLeaderElection election) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await election.TryAcquireOrRenewAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(election.Options.RetryPeriod, election.Time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), election.Time);
        try
        {
            await election.ReleaseAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KubernetesApiException or OperationCanceledException)
        {
            // The lease expires on its own.
        }
    }
}
