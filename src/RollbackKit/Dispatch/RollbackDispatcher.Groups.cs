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

    /// <summary>Whether <paramref name="key"/> is a group's id.</summary>
    private bool IsGroup(string key) => Groups.TryGet(key, out _);

    /// <summary>The target an unfinished rollback kept under <paramref name="key"/> resumes as.</summary>
    private RollbackTarget ResumeTarget(string key, UnfinishedRollback unfinished) =>
        Groups.TryGet(key, out var plan) ? plan.Target
        : _catalog.TryGet(key, out var configured) ? configured
        : unfinished.Request.Target;
}
