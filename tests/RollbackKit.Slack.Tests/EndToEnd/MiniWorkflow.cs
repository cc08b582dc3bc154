using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Tests.EndToEnd;

/// <summary>
/// Stand-in for the rollback workflow (dispatcher + approval gate) with the same observable behaviour for these
/// integrations: Fired, then for P1/P2 AwaitingApproval and a wait on the gate, then Started, the playbook steps and
/// Succeeded (or Rejected).
/// </summary>
internal sealed class MiniWorkflow(IServiceProvider services, TimeProvider time) : IRollbackDispatcher, IApprovalGate
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ApprovalOutcome>> _pending = new();
    private int _next;

    public Task? Running { get; private set; }

    public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        var id = "rb-" + Interlocked.Increment(ref _next);
        Running = Task.Run(() => RunAsync(id, request), CancellationToken.None);
        return ValueTask.FromResult(new DispatchResult(DispatchStatus.Started, id, null));
    }

    private async Task RunAsync(string id, RollbackRequest request)
    {
        await NotifyAsync(new RollbackEvent { Kind = RollbackEventKind.Fired, RollbackId = id, Target = request.Target, Severity = request.Severity, Message = request.Reason, Request = request, Timestamp = time.GetUtcNow() });
        if (request.Severity != RollbackSeverity.Critical)
        {
            var approvalId = "approval-" + id;
            await NotifyAsync(new RollbackEvent { Kind = RollbackEventKind.AwaitingApproval, RollbackId = id, Target = request.Target, Severity = request.Severity, Message = "Approve or hold the rollback", Request = request, ApprovalId = approvalId, Timestamp = time.GetUtcNow() });
            var outcome = await WaitAsync(new ApprovalRequest(approvalId, request, TimeSpan.FromMinutes(10)), CancellationToken.None);
            if (outcome.Decision != ApprovalDecision.Approved)
            {
                await NotifyAsync(new RollbackEvent { Kind = RollbackEventKind.Rejected, RollbackId = id, Target = request.Target, Severity = request.Severity, Message = "Held", Actor = outcome.DecidedBy, Timestamp = time.GetUtcNow() });
                return;
            }

            await NotifyAsync(new RollbackEvent { Kind = RollbackEventKind.Started, RollbackId = id, Target = request.Target, Severity = request.Severity, Message = "Rolling back", Actor = outcome.DecidedBy, Timestamp = time.GetUtcNow() });
        }

        foreach (var step in services.GetServices<IPlaybookStep>())
        {
            await step.ExecuteAsync(new PlaybookStepContext(id, request, new NullSink(), services, time), CancellationToken.None);
        }

        await NotifyAsync(new RollbackEvent { Kind = RollbackEventKind.Succeeded, RollbackId = id, Target = request.Target, Severity = request.Severity, Message = "Healthy: error rate 0.1/min", Duration = TimeSpan.FromSeconds(42), Timestamp = time.GetUtcNow() });
    }

    private async Task NotifyAsync(RollbackEvent e)
    {
        foreach (var notifier in services.GetServices<INotifier>())
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await notifier.NotifyAsync(e, cts.Token);
        }
    }

    public async ValueTask<ApprovalOutcome> WaitAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        await _pending.GetOrAdd(request.ApprovalId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);

    public ValueTask<bool> DecideAsync(string approvalId, ApprovalDecision decision, string decidedBy, string? comment = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_pending.TryGetValue(approvalId, out var tcs) && tcs.TrySetResult(new ApprovalOutcome(decision, decidedBy, comment)));

    private sealed class NullSink : IEvidenceSink
    {
        public void Add(string name, string content)
        {
        }
    }
}
