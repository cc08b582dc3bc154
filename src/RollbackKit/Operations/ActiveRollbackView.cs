namespace RollbackKit.Operations;

/// <summary>A rollback pending or running now, with its progress.</summary>
public sealed class ActiveRollbackView
{
    /// <summary>The rollback id.</summary>
    public required string RollbackId { get; init; }

    /// <summary>The target id.</summary>
    public required string TargetId { get; init; }

    /// <summary>The phase: the <see cref="RollbackState"/> name, for example <c>RollingBack</c>.</summary>
    public required string State { get; init; }

    /// <summary>Why it was requested.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The trigger that fired, for metric triggers.</summary>
    public string? TriggerName { get; init; }

    /// <summary>The measured value that decided, when known.</summary>
    public double? MeasuredValue { get; init; }

    /// <summary>The threshold it was compared with, when known.</summary>
    public double? Threshold { get; init; }

    /// <summary>Who or what requested it.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>When the dispatcher accepted it.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Time since <see cref="StartedAt"/>.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The playbook's time budget (SLA); <see cref="TimeSpan.Zero"/> when unknown.</summary>
    public TimeSpan Budget { get; init; }

    /// <summary>The current step's position, from 0; -1 before the playbook started.</summary>
    public int StepIndex { get; init; } = -1;

    /// <summary>How many steps the playbook has.</summary>
    public int StepCount { get; init; }

    /// <summary>The current step's name, while one runs.</summary>
    public string? CurrentStep { get; init; }

    /// <summary>How many steps finished.</summary>
    public int StepsCompleted { get; init; }

    /// <summary>Verification health checks that passed so far.</summary>
    public int VerificationChecksPassed { get; init; }

    /// <summary>Verification health checks made so far.</summary>
    public int VerificationChecksTotal { get; init; }

    /// <summary>The pending approval id while the rollback waits for approval.</summary>
    public string? ApprovalId { get; init; }
}
