using RollbackKit.Groups;

namespace RollbackKit.Workflow;

/// <summary>The runner's coordinated groups: a group's rollback runs its members' playbooks and verifications through the
/// <see cref="GroupStage"/>; everything else (gate, completion, lock, journal) is the same as for a target.</summary>
internal sealed partial class RollbackRunner
{
    /// <summary>The group phases, when groups are registered; <see langword="null"/> runs every rollback as a target's.</summary>
    public GroupStage? Groups { get; init; }

    private ValueTask<(bool Succeeded, string Message, bool NeedsAttention)> RunPlaybookAsync(WorkflowRun run, CancellationToken cancellationToken) =>
        run.Group is not null && Groups is { } groups ? groups.RunPlaybooksAsync(run, cancellationToken) : playbook.RunAsync(run, cancellationToken);

    private ValueTask<bool> VerifyAsync(WorkflowRun run, CancellationToken cancellationToken) =>
        run.Group is not null && Groups is { } groups ? groups.VerifyAsync(run, cancellationToken) : verification.VerifyAsync(run, cancellationToken);
}
