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
/// any state, when the journaled history is inconsistent ──▶ NeedsAttention
/// </code>
/// A resumed rollback re-enters the state it was left in (a transition to the same state). The journal's replay checks each
/// rollback's history against the same table (<see cref="RollbackStateRules"/>).
/// </summary>
internal static class RollbackStateMachine
{
    /// <summary>Whether the workflow may move from <paramref name="from"/> to <paramref name="to"/> (the table is <see cref="RollbackStateRules"/>).</summary>
    public static bool CanTransition(RollbackState from, RollbackState to) => RollbackStateRules.CanTransition(from, to);

    /// <summary>
    /// Whether a rollback may move from <paramref name="from"/> to <paramref name="to"/> given whether its journaled history is
    /// consistent. A rollback whose history is not (records lost, out of order, or written after it ended) is in no state the
    /// workflow can trust: its one move is to <see cref="RollbackState.NeedsAttention"/>, whatever state the journal shows last.
    /// </summary>
    public static bool CanTransition(RollbackState from, RollbackState to, bool historyConsistent) =>
        historyConsistent ? CanTransition(from, to) : to == RollbackState.NeedsAttention;

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
    public static void EnsureCanTransition(RollbackState from, RollbackState to, bool historyConsistent = true)
    {
        if (!CanTransition(from, to, historyConsistent))
        {
            throw new InvalidOperationException(historyConsistent
                ? $"A rollback cannot move from {from} to {to}."
                : $"A rollback whose journal history is inconsistent can only move to {RollbackState.NeedsAttention}, not from {from} to {to}.");
        }
    }
}
