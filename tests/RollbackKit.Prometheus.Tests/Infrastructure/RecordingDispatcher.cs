using System.Collections.Concurrent;
using RollbackKit.Dispatch;

namespace RollbackKit.Prometheus.Tests.Infrastructure;

/// <summary>Records every request; answers Duplicate for a deduplication key seen before (as the real dispatcher does).</summary>
internal sealed class RecordingDispatcher : IRollbackDispatcher
{
    private readonly ConcurrentQueue<RollbackRequest> _requests = new();
    private readonly ConcurrentDictionary<string, byte> _keys = new();

    public IReadOnlyList<RollbackRequest> Requests => [.. _requests];

    public Func<RollbackRequest, Exception?>? FailWith { get; set; }

    public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        if (FailWith?.Invoke(request) is { } failure)
        {
            throw failure;
        }

        _requests.Enqueue(request);
        if (request.DeduplicationKey is { } key && !_keys.TryAdd(key, 0))
        {
            return ValueTask.FromResult(new DispatchResult(DispatchStatus.Duplicate, null, "duplicate"));
        }

        return ValueTask.FromResult(new DispatchResult(DispatchStatus.Started, "rb-" + _requests.Count, null));
    }
}
