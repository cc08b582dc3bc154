using RollbackKit.Monitoring;

namespace RollbackKit.Kubernetes;

/// <summary>
/// Leader election among replicas through a <c>coordination.k8s.io/v1</c> Lease: only the leader should evaluate
/// triggers. It is the Kubernetes implementation of the core's one leadership abstraction,
/// <see cref="IMonitorLeadership"/>, with the Lease-specific parts (identity, token, rounds) on top. Registered by
/// <c>AddKubernetesLeaderElection()</c>, which also runs the election loop as a hosted service and makes it the monitor's
/// <see cref="IMonitorLeadership"/>.
/// </summary>
public interface ILeaderElection : IMonitorLeadership
{
    /// <summary>This replica's identity.</summary>
    string Identity { get; }

    /// <summary>Whether this replica currently holds the leader lease.</summary>
    bool IsLeader { get; }

    /// <summary>Cancelled when the current leadership ends; an already-cancelled token while not leader.</summary>
    CancellationToken LeadershipToken { get; }

    /// <summary>Raised with the new value when <see cref="IsLeader"/> changes.</summary>
    event EventHandler<bool>? LeadershipChanged;

    /// <summary>Runs one election round: acquires the lease when free or expired, renews it when held.</summary>
    /// <param name="cancellationToken">Cancels the round.</param>
    /// <returns>Whether this replica is leader afterwards.</returns>
    ValueTask<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken = default);

    /// <summary>Gives up leadership (clears the holder) if held.</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    ValueTask ReleaseAsync(CancellationToken cancellationToken = default);
}
