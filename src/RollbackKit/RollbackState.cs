namespace RollbackKit;

/// <summary>The states of a rollback workflow. Every transition is written to the journal before it is acted on.</summary>
public enum RollbackState
{
    /// <summary>Nothing to do: the target is watched.</summary>
    Monitoring = 0,

    /// <summary>A rollback was requested and accepted; the severity policy is applied next.</summary>
    RollbackPending = 1,

    /// <summary>Waiting for an acknowledgement (high) or an approval (medium).</summary>
    AwaitingApproval = 2,

    /// <summary>The playbook runs.</summary>
    RollingBack = 3,

    /// <summary>The playbook finished; the target's health is re-checked.</summary>
    Verifying = 4,

    /// <summary>Done: rolled back and verified healthy.</summary>
    RolledBack = 5,

    /// <summary>Done: the playbook or the verification failed; escalated.</summary>
    RollbackFailed = 6,

    /// <summary>Done: an approver rejected it, or a medium request was not approved in time.</summary>
    Rejected = 7,

    /// <summary>Done: a previous process left it unfinished and it was not resumed; a human must look at it.</summary>
    NeedsAttention = 8,
}

/// <summary>Helpers for <see cref="RollbackState"/>.</summary>
public static class RollbackStateExtensions
{
    /// <summary>Whether the state ends a workflow.</summary>
    /// <param name="state">The state.</param>
    public static bool IsTerminal(this RollbackState state) =>
        state is RollbackState.RolledBack or RollbackState.RollbackFailed or RollbackState.Rejected or RollbackState.NeedsAttention;
}
