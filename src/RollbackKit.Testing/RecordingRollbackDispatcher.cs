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

    /// <summary>Rollback requests (not alert-only, not dry-run) received so far.</summary>
    public IReadOnlyList<RollbackRequest> Rollbacks => Requests.Where(static r => !r.AlertOnly && !IsDryRun(r)).ToArray();

    /// <summary>Alert-only requests (not dry-run) received so far.</summary>
    public IReadOnlyList<RollbackRequest> Alerts => Requests.Where(static r => r.AlertOnly && !IsDryRun(r)).ToArray();

    /// <summary>Fires of dry-run triggers received so far (the real dispatcher only journals them).</summary>
    public IReadOnlyList<RollbackRequest> DryRuns => Requests.Where(static r => IsDryRun(r)).ToArray();

    /// <inheritdoc />
    public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            _requests.Add(request);
            var id = "recorded-" + _requests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var status = IsDryRun(request) ? DispatchStatus.DryRunRecorded : request.AlertOnly ? DispatchStatus.AlertRaised : DispatchStatus.Started;
            return ValueTask.FromResult(new DispatchResult(status, status == DispatchStatus.DryRunRecorded ? null : id, "recorded"));
        }
    }

    private static bool IsDryRun(RollbackRequest request) => request.Evidence is { DryRun: true };
}
