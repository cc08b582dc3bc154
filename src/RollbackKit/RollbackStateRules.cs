namespace RollbackKit;

/// <summary>
/// Which <see cref="RollbackState"/> may follow which, as data: the one table the workflow's state machine enforces when it
/// moves a rollback and the journal's replay checks a rollback's journaled history against. It sits beside the state
/// vocabulary so that both can read it (the journal must not depend on the workflow).
/// </summary>
internal static class RollbackStateRules
{
    /// <summary>Whether the workflow may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransition(RollbackState from, RollbackState to)
    {
        if (from.IsTerminal() || !Enum.IsDefined(to))
        {
            return false;
        }

        if (to is RollbackState.RollbackFailed or RollbackState.NeedsAttention)
        {
            return from != RollbackState.Monitoring && Enum.IsDefined(from);
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

    /// <summary>
    /// Whether a journal may show a <c>Transition</c> to <paramref name="to"/> after state <paramref name="from"/>: a move the
    /// workflow makes, or a resumed rollback re-entering the unfinished state it was left in.
    /// </summary>
    public static bool CanFollow(RollbackState from, RollbackState to) =>
        CanTransition(from, to) || (from == to && from is RollbackState.RollbackPending or RollbackState.AwaitingApproval or RollbackState.RollingBack or RollbackState.Verifying);
}
