namespace RollbackKit.Dispatch;

/// <summary>
/// Ensures one rollback per target at a time, across every process that shares the lock. The default is in-process;
/// the Kubernetes adapter adds a <c>coordination.k8s.io/v1</c> Lease implementation for replicated controllers.
/// </summary>
public interface IRollbackLock
{
    /// <summary>Tries to take the lock for a target without waiting.</summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A handle while held, or <see langword="null"/> when another holder has it.</returns>
    ValueTask<IRollbackLockHandle?> TryAcquireAsync(string targetId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Who holds the lock for a target, to name in the answer to a request that found it taken (for a Lease, its
    /// <c>holderIdentity</c>). The default knows no holder.
    /// </summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The holder's identity, or <see langword="null"/> when the lock is free or its holder unknown.</returns>
    ValueTask<string?> GetHolderAsync(string targetId, CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(null);
}

/// <summary>A held target lock. Disposing releases it.</summary>
public interface IRollbackLockHandle : IAsyncDisposable
{
    /// <summary>The target id.</summary>
    string TargetId { get; }

    /// <summary>Cancelled when the lock is lost (for example a lease could not be renewed); work under the lock must stop.</summary>
    CancellationToken LockLost { get; }
}
