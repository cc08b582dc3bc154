using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace RollbackKit.Dispatch;

/// <summary>
/// Remembers deduplication keys (alert fingerprints, incident ids) for <see cref="DispatchOptions.DeduplicationWindow"/> from the
/// time each was first seen, with the rollback each led to. Old keys are swept at most once a minute.
/// </summary>
internal sealed class DeduplicationCache
{
    /// <summary>How often old keys are swept.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private long _nextPurge;

    public DeduplicationCache(IOptions<DispatchOptions> options, TimeProvider timeProvider)
    {
        _window = options.Value.DeduplicationWindow;
        _time = timeProvider;
    }

    /// <summary>Number of keys currently remembered.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Remembers <paramref name="key"/> as first seen now unless it was seen within the window; returns <see langword="false"/>
    /// with the rollback it led to (if any) when it was.
    /// </summary>
    public bool TryRemember(string key, out string? previous)
    {
        var sighting = Remember(key);
        previous = sighting.Previous;
        sighting.Decision?.TrySetResult(null);
        return sighting.IsNew;
    }

    /// <summary>
    /// Remembers <paramref name="key"/> as first seen now unless it was seen within the window. A new key comes with the
    /// <see cref="Sighting.Decision"/> its request completes with the rollback it led to; a repeat comes with the rollback the
    /// first led to, or, while the first is still being decided, <see cref="Sighting.PreviousDecision"/> to wait for.
    /// </summary>
    public Sighting Remember(string key)
    {
        var now = _time.GetUtcNow();
        var decision = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fresh = new Entry(null, now, decision.Task);
        while (true)
        {
            if (_entries.TryAdd(key, fresh))
            {
                return new Sighting(true, null, null, decision);
            }

            if (!_entries.TryGetValue(key, out var existing))
            {
                continue;
            }

            if (now - existing.FirstSeen < _window)
            {
                var pending = existing.RollbackId is null && existing.Decision is { IsCompleted: false } task ? task : null;
                return new Sighting(false, existing.RollbackId, pending, null);
            }

            if (_entries.TryUpdate(key, fresh, existing))
            {
                return new Sighting(true, null, null, decision);
            }
        }
    }

    /// <summary>Records the rollback a key led to, keeping the time the key was first seen.</summary>
    public void SetRollbackId(string key, string rollbackId) =>
        _entries.AddOrUpdate(
            key,
            static (_, a) => new Entry(a.Id, a.Now, null),
            static (_, e, a) => e with { RollbackId = a.Id },
            (Id: rollbackId, Now: _time.GetUtcNow()));

    /// <summary>
    /// Replays one journal observation of a key: a key is remembered from the first time it was seen; a key seen again after its
    /// window starts over; a later entry naming a rollback sets it.
    /// </summary>
    public void Load(string key, string? rollbackId, DateTimeOffset seenAt)
    {
        if (!_entries.TryGetValue(key, out var existing) || seenAt - existing.FirstSeen >= _window)
        {
            _entries[key] = new Entry(rollbackId, seenAt, null);
        }
        else if (rollbackId is not null)
        {
            _entries[key] = existing with { RollbackId = rollbackId };
        }
    }

    /// <summary>Forgets keys older than the window; sweeps at most once per <see cref="PurgeInterval"/> unless forced.</summary>
    public void Purge(bool force = false)
    {
        var now = _time.GetUtcNow();
        var next = Interlocked.Read(ref _nextPurge);
        if (!force && now.UtcTicks < next)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _nextPurge, (now + PurgeInterval).UtcTicks, next) != next && !force)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (now - entry.FirstSeen >= _window)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    /// <summary>A remembered key: the rollback it led to (if any), when it was first seen, and the decision of its first request.</summary>
    private readonly record struct Entry(string? RollbackId, DateTimeOffset FirstSeen, Task<string?>? Decision);

    /// <summary>What <see cref="Remember"/> found.</summary>
    /// <param name="IsNew">Whether the key is new (or its window had passed).</param>
    /// <param name="Previous">For a repeat, the rollback the key led to, if known.</param>
    /// <param name="PreviousDecision">For a repeat whose first request is still being decided, its outcome to wait for.</param>
    /// <param name="Decision">For a new key, to complete with the rollback its request led to (or <see langword="null"/>).</param>
    internal readonly record struct Sighting(bool IsNew, string? Previous, Task<string?>? PreviousDecision, TaskCompletionSource<string?>? Decision);
}
