using RollbackKit.Journal;

namespace RollbackKit.Testing;

/// <summary>
/// The configured journal, unchanged, with a count of the appends still being written: the test host waits for them, since a
/// rollback that writes its journal is working, not waiting on the fake clock.
/// </summary>
internal sealed class ObservedJournal(IRollbackJournal inner) : IRollbackJournal
{
    private int _pending;
    private int _appended;

    /// <summary>Appends started and not finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Appends finished.</summary>
    public int Appended => Volatile.Read(ref _appended);

    public async ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _pending);
        try
        {
            await inner.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _appended);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(targetId, cancellationToken);
}
