namespace RollbackKit.Playbooks;

/// <summary>What a step's probe found about an earlier run of the step that was interrupted (for example by a crash).</summary>
public enum StepEffect
{
    /// <summary>The probe cannot tell: the rollback pauses for a human decision unless the step is repeatable.</summary>
    Unknown = 0,

    /// <summary>The step's effect is in place: the step is not run again and counts as succeeded.</summary>
    Applied = 1,

    /// <summary>The step's effect is not in place: running it again cannot repeat it.</summary>
    NotApplied = 2,
}

/// <summary>
/// Optional for a step: proves whether its effect happened, so a rollback resumed after a crash in the middle of the step
/// neither repeats it nor stops for a human. <c>kubernetes.undo</c> and <c>helm.rollback</c> compare the current revision.
/// </summary>
public interface IStepEffectProbe
{
    /// <summary>Looks at the target to tell whether an interrupted run of this step took effect.</summary>
    /// <param name="context">The rollback (same rollback id, step index and target as the interrupted run).</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>What the probe found; <see cref="StepEffect.Unknown"/> when it cannot tell.</returns>
    ValueTask<StepEffect> ProbeEffectAsync(PlaybookStepContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Optional for a step: declares whether running it twice is harmless (a GET check, a delay, a wait for a rollout), so a
/// rollback resumed after a crash in the middle of the step simply runs it again.
/// </summary>
public interface IRepeatableStep
{
    /// <summary>Whether running the step again after an interrupted run is harmless.</summary>
    bool IsRepeatable { get; }
}
