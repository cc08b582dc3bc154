using System.Diagnostics;
using Microsoft.Extensions.Options;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Approval;

/// <summary>What the severity gate asks of people before a rollback proceeds.</summary>
internal enum GateRequirement
{
    /// <summary>Proceed at once: P0 (critical), manual, or already approved.</summary>
    None = 0,

    /// <summary>P1 (high): wait for an acknowledgement; on timeout proceed and escalate to P0.</summary>
    Acknowledgement = 1,

    /// <summary>P2 (medium) with approval required: wait for an explicit approval; on timeout do not roll back.</summary>
    Approval = 2,
}

/// <summary>What follows a gate's wait.</summary>
internal enum GateOutcome
{
    /// <summary>Approved or acknowledged: roll back.</summary>
    Proceed = 0,

    /// <summary>A P1 acknowledgement timed out: roll back and escalate to P0.</summary>
    ProceedAndEscalate = 1,

    /// <summary>Rejected, or a P2 approval timed out: do not roll back.</summary>
    Reject = 2,
}

/// <summary>
/// The severity gate: P0 and manual requests proceed immediately; P1 waits for an acknowledgement within
/// <see cref="ApprovalOptions.AcknowledgementTimeout"/> and otherwise proceeds and escalates; P2 (when it reaches the gate, that is
/// when approval is required) waits for an explicit approval within <see cref="ApprovalOptions.ApprovalTimeout"/>.
/// The waiting itself is done by the <see cref="IApprovalGate"/>.
/// </summary>
internal sealed class SeverityGate(IApprovalGate approvals, IOptions<ApprovalOptions> options, RollbackKitMetrics metrics, TimeProvider timeProvider)
{
    private readonly ApprovalOptions _options = options.Value;

    /// <summary>What a request needs before it may proceed. Pure.</summary>
    /// <param name="request">The request.</param>
    /// <param name="alreadyApproved">Whether it was approved before (a resumed rollback past its gate).</param>
    public static GateRequirement Requirement(RollbackRequest request, bool alreadyApproved)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TriggerType == RollbackTriggerType.Manual || request.Severity == RollbackSeverity.Critical || alreadyApproved)
        {
            return GateRequirement.None;
        }

        return request.Severity == RollbackSeverity.High ? GateRequirement.Acknowledgement : GateRequirement.Approval;
    }

    /// <summary>What a decision means for the rollback. Pure.</summary>
    public static GateOutcome Outcome(GateRequirement requirement, ApprovalDecision decision) => decision switch
    {
        ApprovalDecision.Approved => GateOutcome.Proceed,
        ApprovalDecision.Rejected => GateOutcome.Reject,
        _ => requirement == GateRequirement.Acknowledgement ? GateOutcome.ProceedAndEscalate : GateOutcome.Reject,
    };

    /// <summary>How long the gate waits for <paramref name="requirement"/>.</summary>
    public TimeSpan Timeout(GateRequirement requirement) =>
        requirement == GateRequirement.Acknowledgement ? _options.AcknowledgementTimeout : _options.ApprovalTimeout;

    /// <summary>A new approval id.</summary>
    public static string NewApprovalId() => "ap-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>
    /// Waits for a decision in a <c>rollbackkit.approval</c> span. The wait is registered before <paramref name="announce"/> runs,
    /// so a decision made as soon as people are told is never lost.
    /// </summary>
    /// <returns>The decision and how long was waited.</returns>
    public async ValueTask<(ApprovalOutcome Outcome, TimeSpan Waited)> WaitAsync(
        string approvalId,
        RollbackRequest request,
        GateRequirement requirement,
        Action announce,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(announce);
        var timeout = Timeout(requirement);
        using var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.approval");
        activity?.SetTag(RollbackKitTags.TargetId, request.Target.Id);
        activity?.SetTag(RollbackKitTags.Severity, request.Severity.ToPriority());
        activity?.SetTag(RollbackKitTags.ApprovalId, approvalId);
        var started = timeProvider.GetTimestamp();
        var wait = approvals.WaitAsync(new ApprovalRequest(approvalId, request, timeout), cancellationToken);
        announce();
        var outcome = await wait.ConfigureAwait(false);
        var waited = timeProvider.GetElapsedTime(started);
        metrics.ApprovalWait(request, waited);
        activity?.SetTag(RollbackKitTags.Outcome, outcome.Decision.ToString());
        return (outcome, waited);
    }
}
