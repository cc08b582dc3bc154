using RollbackKit.Dispatch;

namespace RollbackKit.Testing;

/// <summary>A dispatcher that records requests instead of rolling back: for testing which triggers fire, and when.</summary>
public sealed class RecordingRollbackDispatcher : IRollbackDispatcher
{
    private readonly List<RollbackRequest> _requests = [];
    private readonly Lock _gate = new();

    /// <summary>A snapshot of the requests received so far, in order.</summary>
    public IReadOnlyList<RollbackRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Rollback requests (not alert-only) received so far.</summary>
    public IReadOnlyList<RollbackRequest> Rollbacks => Requests.Where(static r => !r.AlertOnly).ToArray();

    /// <summary>Alert-only requests received so far.</summary>
    public IReadOnlyList<RollbackRequest> Alerts => Requests.Where(static r => r.AlertOnly).ToArray();

    /// <inheritdoc />
    public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            _requests.Add(request);
            var id = "recorded-" + _requests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ValueTask.FromResult(new DispatchResult(request.AlertOnly ? DispatchStatus.AlertRaised : DispatchStatus.Started, id, "recorded"));
        }
    }
}
