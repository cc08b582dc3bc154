namespace RollbackKit.Journal;

/// <summary>The coordinated-group part of an audit record: the group and what happened to each member.</summary>
public sealed class GroupRunRecord
{
    /// <summary>The group id.</summary>
    public required string GroupId { get; init; }

    /// <summary>The rollback order (<c>Reverse</c>, <c>Listed</c>, <c>Parallel</c> or <c>Explicit</c>).</summary>
    public string Order { get; init; } = string.Empty;

    /// <summary>The member that was asked to roll back first (the request that started the group's rollback).</summary>
    public string? RequestedFor { get; init; }

    /// <summary>Every member, in rollback order, with its steps and its verification.</summary>
    public IReadOnlyList<GroupMemberRecord> Members { get; init; } = [];
}

/// <summary>One member of a coordinated group's rollback in its audit record.</summary>
public sealed class GroupMemberRecord
{
    /// <summary>The member target id.</summary>
    public required string TargetId { get; init; }

    /// <summary>What happened to the member: <c>RolledBack</c>, <c>Failed</c>, <c>NeedsAttention</c>, <c>NotStarted</c> (a member
    /// before it failed) or <c>Pending</c> (the group ended before its turn, for example rejected).</summary>
    public string Outcome { get; init; } = string.Empty;

    /// <summary>The member's playbook steps run by this process, in order.</summary>
    public IReadOnlyList<StepRecord> Steps { get; init; } = [];

    /// <summary>The member's verification, when the group got that far.</summary>
    public VerificationRecord? Verification { get; init; }

    /// <summary>A one-line summary (the failure of a failed member).</summary>
    public string? Message { get; init; }
}
