using RollbackKit.Dispatch;
using RollbackKit.Notifications;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Tests.Infrastructure;

public static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static RollbackTarget Target(string id = "payments/checkout") =>
        new(id, new Dictionary<string, string> { ["namespace"] = "payments", ["name"] = "checkout", ["version"] = "1.4.2" });

    public static RollbackRequest Request(RollbackTarget? target = null, RollbackSeverity severity = RollbackSeverity.High) => new()
    {
        Target = target ?? Target(),
        TriggerType = RollbackTriggerType.MetricTrigger,
        Severity = severity,
        Reason = "error rate 5.2/min > 0.75/min for 5m",
        RequestedBy = "error-rate-regression",
        RequestedAt = Now,
        Evidence = new TriggerEvidence
        {
            TriggerName = "error-rate-regression",
            Condition = "canary_error_rate > 0.75",
            Values = [new MeasuredValue("canary_error_rate", 5.2)],
            Actual = 5.2,
            Threshold = 0.75,
            FirstFailedAt = Now.AddMinutes(-5),
            DetectedAt = Now,
        },
    };

    public static RollbackEvent Event(RollbackEventKind kind, string rollbackId = "rb-1", RollbackSeverity severity = RollbackSeverity.High, RollbackTarget? target = null, string? message = null) => new()
    {
        Kind = kind,
        RollbackId = rollbackId,
        Target = target ?? Target(),
        Severity = severity,
        Message = message ?? kind + " message",
        Timestamp = Now,
        Request = Request(target, severity),
        ApprovalId = kind == RollbackEventKind.AwaitingApproval ? "appr-" + rollbackId : null,
        Duration = kind is RollbackEventKind.Succeeded or RollbackEventKind.Progress ? TimeSpan.FromSeconds(125) : null,
    };
}
