using System.Collections.Concurrent;

namespace RollbackKit.Approval;

/// <summary>
/// The default <see cref="IApprovalGate"/>: pending approvals in memory, decided by id (from a chat button, an API call or
/// <see cref="DecideAsync"/>). Timeouts are measured with the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class InMemoryApprovalGate(TimeProvider timeProvider) : IApprovalGate
{
    private readonly ConcurrentDictionary<string, Entry> _pending = new(StringComparer.Ordinal);

    /// <summary>The approvals waiting for a decision.</summary>
    public IReadOnlyCollection<ApprovalRequest> PendingRequests => _pending.Values.Select(p => p.Request).ToArray();

    public async ValueTask<ApprovalOutcome> WaitAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pending = new Entry(request);
        if (!_pending.TryAdd(request.ApprovalId, pending))
        {
            throw new InvalidOperationException($"Approval '{request.ApprovalId}' is already pending.");
        }

        try
        {
            var timeout = request.Timeout;
            return timeout == Timeout.InfiniteTimeSpan
                ? await pending.Decision.Task.WaitAsync(cancellationToken).ConfigureAwait(false)
                : await pending.Decision.Task.WaitAsync(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new ApprovalOutcome(ApprovalDecision.TimedOut, null, null);
        }
        finally
        {
            _pending.TryRemove(request.ApprovalId, out _);
        }
    }

    public ValueTask<bool> DecideAsync(string approvalId, ApprovalDecision decision, string decidedBy, string? comment = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(approvalId);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        if (decision is not (ApprovalDecision.Approved or ApprovalDecision.Rejected))
        {
            throw new ArgumentOutOfRangeException(nameof(decision), decision, "A decision is Approved or Rejected.");
        }

        return ValueTask.FromResult(_pending.TryGetValue(approvalId, out var pending)
            && pending.Decision.TrySetResult(new ApprovalOutcome(decision, decidedBy, comment)));
    }

    private sealed class Entry(ApprovalRequest request)
    {
        public ApprovalRequest Request { get; } = request;

        public TaskCompletionSource<ApprovalOutcome> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
