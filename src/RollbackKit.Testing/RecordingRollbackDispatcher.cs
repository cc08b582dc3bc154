using RollbackKit.Dispatch;

namespace RollbackKit.Testing;

/// <summary>
/// A dispatcher that records requests: for testing which triggers fire, and when. Without an inner dispatcher it answers
/// every request itself and never rolls back; with one (as in <see cref="RollbackKitTestHost.FromConfiguration"/>) it passes
/// each request to it and records the answer as well, so a refusal's reason is in <see cref="Dispatches"/>.
/// </summary>
public sealed class RecordingRollbackDispatcher : IRollbackDispatcher
{
    private readonly List<RecordedDispatch> _dispatches = [];
    private readonly Lock _gate = new();
    private readonly IRollbackDispatcher? _inner;

    /// <summary>Creates a dispatcher that records requests and acts on none.</summary>
    public RecordingRollbackDispatcher()
    {
    }

    /// <summary>Creates a dispatcher that records each request and the answer of <paramref name="inner"/>, which acts on it.</summary>
    /// <param name="inner">The dispatcher that decides (usually RollbackKit's own).</param>
    public RecordingRollbackDispatcher(IRollbackDispatcher inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>A snapshot of the requests received so far, in order.</summary>
    public IReadOnlyList<RollbackRequest> Requests => Dispatches.Select(static d => d.Request).ToArray();

    /// <summary>The requests received so far with the answer each got, in order.</summary>
    public IReadOnlyList<RecordedDispatch> Dispatches
    {
        get
        {
            lock (_gate)
            {
                return _dispatches.ToArray();
            }
        }
    }

    /// <summary>Requests refused so far (cooldown, attempts exhausted, unknown target, …), each with the reason in its result's message.</summary>
    public IReadOnlyList<RecordedDispatch> Refusals => Dispatches.Where(static d => d.Result.Status == DispatchStatus.Refused).ToArray();

    /// <summary>Rollback requests (not alert-only, not dry-run) received so far.</summary>
    public IReadOnlyList<RollbackRequest> Rollbacks => Requests.Where(static r => !r.AlertOnly && !IsDryRun(r)).ToArray();

    /// <summary>Alert-only requests (not dry-run) received so far.</summary>
    public IReadOnlyList<RollbackRequest> Alerts => Requests.Where(static r => r.AlertOnly && !IsDryRun(r)).ToArray();

    /// <summary>Fires of dry-run triggers received so far (the real dispatcher only journals them).</summary>
    public IReadOnlyList<RollbackRequest> DryRuns => Requests.Where(static r => IsDryRun(r)).ToArray();

    /// <inheritdoc />
    public async ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_inner is null)
        {
            lock (_gate)
            {
                var id = "recorded-" + (_dispatches.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var status = IsDryRun(request) ? DispatchStatus.DryRunRecorded : request.AlertOnly ? DispatchStatus.AlertRaised : DispatchStatus.Started;
                var recorded = new DispatchResult(status, status == DispatchStatus.DryRunRecorded ? null : id, "recorded");
                _dispatches.Add(new RecordedDispatch(request, recorded));
                return recorded;
            }
        }

        var result = await _inner.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _dispatches.Add(new RecordedDispatch(request, result));
        }

        return result;
    }

    private static bool IsDryRun(RollbackRequest request) => request.Evidence is { DryRun: true };
}
