namespace RollbackKit.Operations;

/// <summary>An operator's request to roll a target back now.</summary>
public sealed class ManualRollbackRequest
{
    /// <summary>The target id.</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>Why (required; recorded in the audit record).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>A client-chosen key: a repeated request with the same key returns the run the first one started.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Run again even though the target's last rollback finished within the cooldown.</summary>
    public bool Force { get; init; }
}

/// <summary>The answer to a <see cref="ManualRollbackRequest"/>.</summary>
public sealed class ManualRollbackResponse
{
    /// <summary>The rollback id: the run started, or the run joined.</summary>
    public required string RollbackId { get; init; }

    /// <summary>Whether the request joined a rollback already running, or repeated an idempotency key already used.</summary>
    public bool Joined { get; init; }

    /// <summary>The run's state (a <see cref="RollbackState"/> name).</summary>
    public required string State { get; init; }
}

/// <summary>An operator's change of the kill switch.</summary>
public sealed class AutoRollbackChange
{
    /// <summary>Whether automatic rollback is enabled after the change.</summary>
    public bool Enabled { get; init; }

    /// <summary>Why (required; journaled with who and when).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The target whose switch changes; <see langword="null"/> for the global switch.</summary>
    public string? Target { get; init; }
}

/// <summary>An operator's reset of a target's automatic rollback attempts and cooldown (after a fix was deployed).</summary>
public sealed class AttemptsResetRequest
{
    /// <summary>The target id, or a coordinated group's id.</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>Why (required; journaled with who and when).</summary>
    public string Reason { get; init; } = string.Empty;
}

/// <summary>What a reset of attempts and cooldown did.</summary>
public sealed class AttemptsResetResponse
{
    /// <summary>The id the reset was journaled under: the target, or its coordinated group's id when it is a member.</summary>
    public required string Target { get; init; }

    /// <summary>Who reset.</summary>
    public required string ResetBy { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>When: rollbacks of the target finished or attempted up to this time no longer count.</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>An operator's decision on a pending approval.</summary>
public sealed class ApprovalAction
{
    /// <summary>A comment recorded with the decision.</summary>
    public string? Comment { get; init; }
}
