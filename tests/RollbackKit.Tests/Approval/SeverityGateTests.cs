using RollbackKit.Approval;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Approval;

public class SeverityGateTests
{
    private static RollbackRequest Request(RollbackSeverity severity, RollbackTriggerType type = RollbackTriggerType.MetricTrigger) => new()
    {
        Target = new RollbackTarget("app"),
        TriggerType = type,
        Severity = severity,
        Reason = "r",
    };

    [Theory]
    [InlineData(RollbackSeverity.Critical, RollbackTriggerType.MetricTrigger, false, (int)GateRequirement.None)]
    [InlineData(RollbackSeverity.High, RollbackTriggerType.Manual, false, (int)GateRequirement.None)]
    [InlineData(RollbackSeverity.High, RollbackTriggerType.MetricTrigger, true, (int)GateRequirement.None)]
    [InlineData(RollbackSeverity.High, RollbackTriggerType.IncidentEscalation, false, (int)GateRequirement.Acknowledgement)]
    [InlineData(RollbackSeverity.Medium, RollbackTriggerType.Alert, false, (int)GateRequirement.Approval)]
    public void Requirement_BySeverity(RollbackSeverity severity, RollbackTriggerType type, bool approved, int expected) =>
        Assert.Equal((GateRequirement)expected, SeverityGate.Requirement(Request(severity, type), approved));

    [Theory]
    [InlineData((int)GateRequirement.Acknowledgement, ApprovalDecision.Approved, (int)GateOutcome.Proceed)]
    [InlineData((int)GateRequirement.Acknowledgement, ApprovalDecision.Rejected, (int)GateOutcome.Reject)]
    [InlineData((int)GateRequirement.Acknowledgement, ApprovalDecision.TimedOut, (int)GateOutcome.ProceedAndEscalate)]
    [InlineData((int)GateRequirement.Approval, ApprovalDecision.Approved, (int)GateOutcome.Proceed)]
    [InlineData((int)GateRequirement.Approval, ApprovalDecision.Rejected, (int)GateOutcome.Reject)]
    [InlineData((int)GateRequirement.Approval, ApprovalDecision.TimedOut, (int)GateOutcome.Reject)]
    public void Outcome_P1TimeoutProceeds_P2TimeoutDoesNot(int requirement, ApprovalDecision decision, int expected) =>
        Assert.Equal((GateOutcome)expected, SeverityGate.Outcome((GateRequirement)requirement, decision));
}
