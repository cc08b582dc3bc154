using System.Collections.Concurrent;
using RollbackKit.Notifications;

namespace RollbackKit.Journal;

/// <summary>
/// Keeps notifier conversation state in the rollback journal as <see cref="JournalEntryKind.NotifierState"/> records;
/// the journal is read once, on first use, and later values are kept in memory as they are written.
/// </summary>
internal sealed class JournalNotificationStateStore(IRollbackJournal journal, TimeProvider timeProvider) : INotificationStateStore, IDisposable
{
    private readonly ConcurrentDictionary<(string Notifier, string RollbackId, string Key), string> _values = new();
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private volatile bool _loaded;

    public async ValueTask<string?> GetAsync(string notifier, string rollbackId, string key, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return _values.TryGetValue((notifier, rollbackId, key), out var value) ? value : null;
    }

    public async ValueTask SetAsync(string notifier, string rollbackId, string targetId, IReadOnlyDictionary<string, string?> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var recorded = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            recorded[key] = value ?? string.Empty;
        }

        await journal.AppendAsync(
            new JournalEntry
            {
                Timestamp = timeProvider.GetUtcNow(),
                Kind = JournalEntryKind.NotifierState,
                RollbackId = rollbackId,
                TargetId = targetId,
                Actor = notifier,
                NotifierValues = recorded,
            },
            cancellationToken).ConfigureAwait(false);
        Apply(notifier, rollbackId, recorded);
    }

    public void Dispose() => _loadGate.Dispose();

    private async ValueTask EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded)
            {
                return;
            }

            foreach (var entry in await journal.ReadAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (entry is { Kind: JournalEntryKind.NotifierState, RollbackId: { } rollbackId, Actor: { } notifier, NotifierValues: { } values })
                {
                    Apply(notifier, rollbackId, values);
                }
            }

            _loaded = true;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private void Apply(string notifier, string rollbackId, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (key, value) in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                _values.TryRemove((notifier, rollbackId, key), out _);
            }
            else
            {
                _values[(notifier, rollbackId, key)] = value;
            }
        }
    }
}
