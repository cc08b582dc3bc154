using System.Diagnostics.CodeAnalysis;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Telemetry;

namespace RollbackKit.Dispatch;

/// <summary>
/// Coordinated groups in the dispatcher: a request for a group's member is decided for the group, under the group's gate, lock
/// (keyed by the group id) and limits, so concurrent requests on several members start one rollback of the group and join it.
/// </summary>
internal sealed partial class RollbackDispatcher
{
    private GroupCatalog Groups => _runner.Groups?.Catalog ?? GroupCatalog.Empty;

    /// <summary>What a request for <paramref name="target"/> rolls back: its group when it is a member, else the target itself.</summary>
    private RollbackTarget RollbackUnit(RollbackTarget target)
    {
        if (Groups.TryGetByMember(target.Id, out var plan))
        {
            Log.RoutedToGroup(_logger, target.Id, plan.Id);
            return plan.Target;
        }

        return target;
    }

    /// <summary>The key of the dispatcher state that decides for <paramref name="targetId"/>: its group's id for a member.</summary>
    private string RuntimeKey(string targetId) => Groups.TryGetByMember(targetId, out var plan) ? plan.Id : targetId;

    /// <summary>A request may name a group by its id: the group's target.</summary>
    private bool TryGetGroupTarget(string id, [NotNullWhen(true)] out RollbackTarget? target)
    {
        target = Groups.TryGet(id, out var plan) ? plan.Target : null;
        return target is not null;
    }

    /// <summary>Whether <paramref name="key"/> is a group's id.</summary>
    private bool IsGroup(string key) => Groups.TryGet(key, out _);

    /// <summary>The target an unfinished rollback kept under <paramref name="key"/> resumes as.</summary>
    private RollbackTarget ResumeTarget(string key, UnfinishedRollback unfinished) =>
        Groups.TryGet(key, out var plan) ? plan.Target
        : _catalog.TryGet(key, out var configured) ? configured
        : IsOrphanedGroupRun(unfinished) ? new RollbackTarget(key)
        : unfinished.Request.Target;

    /// <summary>
    /// An unfinished group's rollback whose group is no longer configured cannot be resumed (its members and order are unknown):
    /// it is handed over marked incomplete, so it ends as <see cref="RollbackState.NeedsAttention"/> instead of rolling back
    /// only the member it was asked for.
    /// </summary>
    private UnfinishedRollback? CheckGroup(UnfinishedRollback? unfinished) =>
        unfinished is not null && unfinished.Incomplete is null && IsOrphanedGroupRun(unfinished)
            ? unfinished with { Incomplete = $"its group '{unfinished.TargetId}' is no longer configured" }
            : unfinished;

    private bool IsOrphanedGroupRun(UnfinishedRollback unfinished) =>
        !string.Equals(unfinished.TargetId, unfinished.Request.Target.Id, StringComparison.Ordinal) && !IsGroup(unfinished.TargetId);
}
