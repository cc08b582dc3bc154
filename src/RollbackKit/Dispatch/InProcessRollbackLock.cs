using System.Collections.Concurrent;

namespace RollbackKit.Dispatch;

/// <summary>The default <see cref="IRollbackLock"/>: one holder per target within this process.</summary>
internal sealed class InProcessRollbackLock : IRollbackLock
{
    private readonly ConcurrentDictionary<string, Handle> _held = new(StringComparer.Ordinal);

    public ValueTask<IRollbackLockHandle?> TryAcquireAsync(string targetId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetId);
        cancellationToken.ThrowIfCancellationRequested();
        var handle = new Handle(this, targetId);
        return ValueTask.FromResult<IRollbackLockHandle?>(_held.TryAdd(targetId, handle) ? handle : null);
    }

    public bool IsHeld(string targetId) => _held.ContainsKey(targetId);

    private sealed class Handle(InProcessRollbackLock owner, string targetId) : IRollbackLockHandle
    {
        private int _released;

        public string TargetId { get; } = targetId;

        public CancellationToken LockLost => CancellationToken.None;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner._held.TryRemove(new KeyValuePair<string, Handle>(TargetId, this));
            }

            return ValueTask.CompletedTask;
        }
    }
}
