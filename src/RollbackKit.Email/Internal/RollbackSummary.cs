using RollbackKit.Journal;
using RollbackKit.Notifications;

namespace RollbackKit.Email.Internal;

/// <summary>What one summary mail tells about a finished rollback: the event that ended it and, when the journal has it, its audit record.</summary>
internal sealed class RollbackSummary
{
    public required string RollbackId { get; init; }

    public required RollbackState Result { get; init; }

    public required RollbackEvent Event { get; init; }

    /// <summary>The audit record from the journal; <see langword="null"/> when it could not be read.</summary>
    public RollbackAuditRecord? Audit { get; init; }

    public string TargetId => Event.Target.Id;

    public RollbackRequest? Request => Event.Request;

    /// <summary>The trigger name for a metric trigger, otherwise the request type.</summary>
    public string Trigger => Request?.Evidence?.TriggerName ?? Audit?.Trigger.TriggerName ?? (Request?.TriggerType ?? Audit?.Trigger.Type)?.ToString() ?? "unknown";

    /// <summary>How long the playbook ran (zero when it never started).</summary>
    public TimeSpan Duration => Audit?.Execution.Duration ?? Event.Duration ?? TimeSpan.Zero;

    /// <summary>The steps with their outcomes; <see langword="null"/> when unknown (no audit record).</summary>
    public IReadOnlyList<StepRecord>? Steps => Audit?.Execution.Steps;

    /// <summary>Where the evidence bundle was written, if one was.</summary>
    public string? EvidencePath => Event.EvidencePath;

    /// <summary>The one-line outcome.</summary>
    public string Outcome => Audit?.Outcome ?? Event.Message;

    /// <summary>The result as people say it.</summary>
    public static string Describe(RollbackState result) => result switch
    {
        RollbackState.RolledBack => "Rolled back",
        RollbackState.RollbackFailed => "Rollback failed",
        RollbackState.Rejected => "Rejected",
        RollbackState.NeedsAttention => "Needs attention",
        _ => result.ToString(),
    };
}
