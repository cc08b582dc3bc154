namespace RollbackKit.Workflow;

/// <summary>The part of a rollback the runner performs next.</summary>
internal enum WorkflowPhase
{
    /// <summary>Apply the severity gate (acknowledgement or approval).</summary>
    Gate = 0,

    /// <summary>Run the playbook.</summary>
    Playbook = 1,

    /// <summary>Verify the target's health.</summary>
    Verify = 2,

    /// <summary>Nothing: the rollback has ended.</summary>
    Done = 3,
}

/// <summary>
/// The rollback workflow as data: its states, the transitions allowed between them, and what comes next. Pure: the runner
/// asks it, journals the transition, then acts.
/// <code>
/// RollbackPending ─▶ AwaitingApproval ─▶ RollingBack ─▶ Verifying ─▶ RolledBack
///        │                 │                  │              └──────▶ RollbackFailed
///        └─────────────────┴──▶ RollingBack   └─────────────────────▶ RollbackFailed
///                          └──▶ Rejected
/// any unfinished state ──▶ RollbackFailed (workflow error) | NeedsAttention (left unfinished, not resumed)
/// </code>
/// A resumed rollback re-enters the state it was left in (a transition to the same state).
/// </summary>
internal static class RollbackStateMachine
{
    /// <summary>Whether the workflow may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransition(RollbackState from, RollbackState to)
    {
        if (from.IsTerminal())
        {
            return false;
        }

        if (to is RollbackState.RollbackFailed or RollbackState.NeedsAttention)
        {
            return from != RollbackState.Monitoring;
        }

        return from switch
        {
            RollbackState.Monitoring => to == RollbackState.RollbackPending,
            RollbackState.RollbackPending => to is RollbackState.AwaitingApproval or RollbackState.RollingBack,
            RollbackState.AwaitingApproval => to is RollbackState.AwaitingApproval or RollbackState.RollingBack or RollbackState.Rejected,
            RollbackState.RollingBack => to is RollbackState.RollingBack or RollbackState.Verifying,
            RollbackState.Verifying => to is RollbackState.Verifying or RollbackState.RolledBack,
            _ => false,
        };
    }

    /// <summary>The phase a rollback in <paramref name="state"/> performs next (also where a resumed rollback starts).</summary>
    public static WorkflowPhase NextPhase(RollbackState state) => state switch
    {
        RollbackState.RollbackPending or RollbackState.AwaitingApproval => WorkflowPhase.Gate,
        RollbackState.RollingBack => WorkflowPhase.Playbook,
        RollbackState.Verifying => WorkflowPhase.Verify,
        _ => WorkflowPhase.Done,
    };

    /// <summary>The state after the playbook: verification when every step that must succeed did, otherwise failed.</summary>
    public static RollbackState AfterPlaybook(bool succeeded) => succeeded ? RollbackState.Verifying : RollbackState.RollbackFailed;

    /// <summary>The final state after verification.</summary>
    public static RollbackState AfterVerification(bool healthy) => healthy ? RollbackState.RolledBack : RollbackState.RollbackFailed;

    /// <summary>Throws when the transition is not allowed.</summary>
    public static void EnsureCanTransition(RollbackState from, RollbackState to)
    {
        if (!CanTransition(from, to))
        {
            throw new InvalidOperationException($"A rollback cannot move from {from} to {to}.");
        }
    }
}
