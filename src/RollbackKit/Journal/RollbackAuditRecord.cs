using RollbackKit.Triggers;

namespace RollbackKit.Journal;

/// <summary>The audit record of one rollback: why, who, what ran, how long, and whether it worked.</summary>
public sealed class RollbackAuditRecord
{
    /// <summary>The rollback id.</summary>
    public required string RollbackId { get; init; }

    /// <summary>The target id.</summary>
    public required string TargetId { get; init; }

    /// <summary>The final state.</summary>
    public RollbackState State { get; init; }

    /// <summary>Why the rollback happened.</summary>
    public required TriggerRecord Trigger { get; init; }

    /// <summary>What ran.</summary>
    public required ExecutionRecord Execution { get; init; }

    /// <summary>How the result was verified.</summary>
    public required VerificationRecord Verification { get; init; }

    /// <summary>Who or what requested it.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>Who approved it (or <c>timeout</c> when a high-severity acknowledgement timed out).</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>The approver's comment, if any.</summary>
    public string? ApprovalComment { get; init; }

    /// <summary>How many later requests joined this rollback.</summary>
    public int JoinedRequests { get; init; }

    /// <summary>Whether the workflow was resumed after a restart or by another replica.</summary>
    public bool Resumed { get; init; }

    /// <summary>A one-line outcome.</summary>
    public string? Outcome { get; init; }

    /// <summary>For the rollback of a coordinated group (<see cref="TargetId"/> is then the group id): every member's steps and
    /// verification; <see cref="ExecutionRecord.Steps"/> then lists all members' steps in the order they ran. Otherwise
    /// <see langword="null"/>.</summary>
    public GroupRunRecord? Group { get; init; }
}

/// <summary>The trigger part of an audit record.</summary>
public sealed class TriggerRecord
{
    /// <summary>The kind of request.</summary>
    public RollbackTriggerType Type { get; init; }

    /// <summary>The severity.</summary>
    public RollbackSeverity Severity { get; init; }

    /// <summary>Why, for people.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The trigger name, for metric triggers.</summary>
    public string? TriggerName { get; init; }

    /// <summary>The threshold of the deciding comparison, when known.</summary>
    public double? Threshold { get; init; }

    /// <summary>The measured value of the deciding comparison, when known.</summary>
    public double? ActualValue { get; init; }

    /// <summary>When the condition started failing, when known.</summary>
    public DateTimeOffset? FirstFailedAt { get; init; }

    /// <summary>When the problem was detected (the trigger fired, or the request was made).</summary>
    public DateTimeOffset DetectedAt { get; init; }

    /// <summary>When the request reached the dispatcher.</summary>
    public DateTimeOffset RequestedAt { get; init; }
}

/// <summary>The execution part of an audit record.</summary>
public sealed class ExecutionRecord
{
    /// <summary>When the playbook started, if it did.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the workflow finished.</summary>
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>Playbook duration (start of the first step to the end of the last).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The playbook's time budget (SLA).</summary>
    public TimeSpan Budget { get; init; }

    /// <summary>Whether the playbook stayed within its budget.</summary>
    public bool WithinBudget { get; init; }

    /// <summary>Each step's outcome, in order.</summary>
    public IReadOnlyList<StepRecord> Steps { get; init; } = [];
}

/// <summary>One step's outcome in an audit record.</summary>
public sealed class StepRecord
{
    /// <summary>Position of the step in the playbook, from 0.</summary>
    public int Index { get; init; }

    /// <summary>The step name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The step type.</summary>
    public string Type { get; init; } = string.Empty;

    /// <summary>Whether it succeeded.</summary>
    public bool Succeeded { get; init; }

    /// <summary>Its summary or error.</summary>
    public string? Message { get; init; }

    /// <summary>How many attempts ran.</summary>
    public int Attempts { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it took, retries included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Its expected duration (SLA), if set.</summary>
    public TimeSpan? ExpectedDuration { get; init; }

    /// <summary>Whether it took longer than expected.</summary>
    public bool ExceededExpected { get; init; }

    /// <summary>Whether the playbook continued despite a failure (<see cref="Playbooks.PlaybookStepDefinition.ContinueOnFailure"/>).</summary>
    public bool ContinuedOnFailure { get; init; }
}

/// <summary>The verification part of an audit record.</summary>
public sealed class VerificationRecord
{
    /// <summary>Whether verification ran.</summary>
    public bool Performed { get; init; }

    /// <summary>Health checks that passed.</summary>
    public int ChecksPassed { get; init; }

    /// <summary>Health checks made.</summary>
    public int ChecksTotal { get; init; }

    /// <summary>Whether the target was healthy at the end of the window.</summary>
    public bool Success { get; init; }

    /// <summary>The last health summary, or a note (for example "no health probe registered").</summary>
    public string? Summary { get; init; }
}
