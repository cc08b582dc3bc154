using RollbackKit.Notifications;

namespace RollbackKit.Testing;

/// <summary>A notifier that records every event, for assertions.</summary>
public sealed class RecordingNotifier : INotifier
{
    private readonly List<RollbackEvent> _events = [];
    private readonly List<(Func<RollbackEvent, bool> Predicate, TaskCompletionSource<RollbackEvent> Completion)> _waiters = [];
    private readonly Lock _gate = new();

    /// <summary>Creates a recording notifier.</summary>
    /// <param name="name">The notifier name. Default: <c>recording</c>.</param>
    public RecordingNotifier(string name = "recording") => Name = name;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>A snapshot of the events received so far, in order.</summary>
    public IReadOnlyList<RollbackEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>Events of one kind received so far.</summary>
    /// <param name="kind">The kind.</param>
    public IReadOnlyList<RollbackEvent> OfKind(RollbackEventKind kind) => Events.Where(e => e.Kind == kind).ToArray();

    /// <summary>Completes when an event matching <paramref name="predicate"/> has been received (including earlier ones).</summary>
    /// <param name="predicate">The condition.</param>
    /// <returns>The first matching event.</returns>
    public Task<RollbackEvent> WaitForAsync(Func<RollbackEvent, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        lock (_gate)
        {
            foreach (var e in _events)
            {
                if (predicate(e))
                {
                    return Task.FromResult(e);
                }
            }

            var completion = new TaskCompletionSource<RollbackEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, completion));
            return completion.Task;
        }
    }

    /// <inheritdoc />
    public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollbackEvent);
        lock (_gate)
        {
            _events.Add(rollbackEvent);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(rollbackEvent))
                {
                    _waiters[i].Completion.TrySetResult(rollbackEvent);
                    _waiters.RemoveAt(i);
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
