namespace RollbackKit.Journal;

/// <summary>A journal kept in memory (for tests and benchmarks); lost when the process ends.</summary>
internal sealed class InMemoryRollbackJournal : IRollbackJournal
{
    private readonly List<JournalEntry> _entries = [];
    private readonly Lock _gate = new();

    public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            _entries.Add(entry);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<JournalEntry> copy = targetId is null
                ? _entries.ToArray()
                : _entries.Where(e => string.Equals(e.TargetId, targetId, StringComparison.Ordinal)).ToArray();
            return ValueTask.FromResult(copy);
        }
    }
}
