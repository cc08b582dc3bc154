using RollbackKit.Approval;
using RollbackKit.Notifications;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Workflow;

/// <summary>
/// The workflow's gate phase: asks the <see cref="SeverityGate"/> what the request needs, journals the wait and its decision, tells
/// people, and ends the rollback when it is rejected.
/// </summary>
internal sealed class ApprovalStage(SeverityGate gate, RollbackRecorder recorder, CompletionStage completion, RollbackKitMetrics metrics)
{
    /// <summary>Returns <see langword="true"/> when the rollback may proceed; otherwise it has been finished as rejected.</summary>
    public async ValueTask<bool> PassAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var time = recorder.Time;
        var detectedAt = request.Evidence?.DetectedAt ?? (request.RequestedAt == default ? run.AcceptedAt : request.RequestedAt);
        var requirement = SeverityGate.Requirement(request, run.ApprovedBy is not null);
        if (requirement == GateRequirement.None)
        {
            metrics.DetectionLatency(request, time.GetUtcNow() - detectedAt);
            return true;
        }

        var high = requirement == GateRequirement.Acknowledgement;
        var timeout = gate.Timeout(requirement);
        var approvalId = SeverityGate.NewApprovalId();
        run.ApprovalId = approvalId;
        await recorder.TransitionAsync(run, RollbackState.AwaitingApproval, $"approval {approvalId}, timeout {timeout}", cancellationToken).ConfigureAwait(false);
        var (outcome, waited) = await gate.WaitAsync(
            approvalId,
            request,
            requirement,
            () => recorder.Publish(
                RollbackEventKind.AwaitingApproval,
                run,
                high
                    ? $"P1 rollback of {run.Target.Id} waits for an acknowledgement; it proceeds automatically in {timeout} and escalates to P0. Reason: {request.Reason}"
                    : $"P2 rollback of {run.Target.Id} needs an explicit approval within {timeout}; it will not proceed without one. Reason: {request.Reason}",
                approvalId: approvalId),
            cancellationToken).ConfigureAwait(false);
        await recorder.Journal.ApprovalDecidedAsync(
            run.RollbackId,
            run.Target.Id,
            outcome.Decision,
            outcome.Decision == ApprovalDecision.TimedOut ? (high ? "timeout" : null) : outcome.DecidedBy,
            $"{outcome.Decision} after {waited}{(outcome.Comment is null ? string.Empty : ": " + outcome.Comment)}",
            cancellationToken).ConfigureAwait(false);

        switch (SeverityGate.Outcome(requirement, outcome.Decision))
        {
            case GateOutcome.Proceed:
                run.ApprovedBy = outcome.DecidedBy;
                run.ApprovalComment = outcome.Comment;
                metrics.DetectionLatency(request, time.GetUtcNow() - detectedAt);
                return true;
            case GateOutcome.ProceedAndEscalate:
                run.ApprovedBy = "timeout";
                recorder.Publish(
                    RollbackEventKind.Escalated,
                    run,
                    $"P0 escalation: no acknowledgement within {timeout} for the P1 rollback of {run.Target.Id}; rolling back now. Reason: {request.Reason}",
                    severity: RollbackSeverity.Critical);
                metrics.DetectionLatency(request, time.GetUtcNow() - detectedAt);
                return true;
            default:
                if (outcome.Decision == ApprovalDecision.Rejected)
                {
                    run.ApprovalComment = outcome.Comment;
                    await completion.FinishAsync(run, RollbackState.Rejected, $"Rollback of {run.Target.Id} rejected by {outcome.DecidedBy}{(outcome.Comment is null ? string.Empty : ": " + outcome.Comment)}", cancellationToken, actor: outcome.DecidedBy).ConfigureAwait(false);
                }
                else
                {
                    await completion.FinishAsync(run, RollbackState.Rejected, $"P2 rollback of {run.Target.Id} was not approved within {timeout}; not rolled back.", cancellationToken).ConfigureAwait(false);
                }

                return false;
        }
    }
}
