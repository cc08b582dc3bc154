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

    /// <summary>
    /// For a person's request on a group: the switches and marks of the group and its members that it overrides, for the answer and
    /// the log (<c>automatic rollback of shop/db is off (turned off by alice …); shop/db is past its point of no return</c>); else
    /// <see langword="null"/>.
    /// </summary>
    private string? ManualOverrides(RollbackTarget unit)
    {
        if (!Groups.TryGet(unit.Id, out var plan))
        {
            return null;
        }

        var notes = new List<string>();
        if (!_killSwitch.GlobalEnabled)
        {
            notes.Add(Off("automatic rollback is off for every target", _killSwitch.DescribeOff(plan.Id)));
        }
        else
        {
            foreach (var id in GroupScreening.Order(plan, plan.Id))
            {
                if (!_killSwitch.IsEnabled(id))
                {
                    notes.Add(Off(id == plan.Id ? $"automatic rollback of group {id} is off" : $"automatic rollback of {id} is off", _killSwitch.DescribeOff(id)));
                }
            }
        }

        foreach (var id in GroupScreening.Order(plan, plan.Id))
        {
            if (_killSwitch.IsPastPointOfNoReturn(id))
            {
                notes.Add(id == plan.Id ? $"group {id} is past its point of no return" : $"{id} is past its point of no return");
            }
        }

        return notes.Count == 0 ? null : string.Join("; ", notes);

        static string Off(string what, string? who) => who is null ? what : $"{what} ({who})";
    }

    /// <summary>A request may name a group by its id: the group's target.</summary>
    private bool TryGetGroupTarget(string id, [NotNullWhen(true)] out RollbackTarget? target)
    {
        target = Groups.TryGet(id, out var plan) ? plan.Target : null;
        return target is not null;
    }

    /// <summary>Whether <paramref name="key"/> is a group's id.</summary>
    private bool IsGroup(string key) => Groups.TryGet(key, out _);

    /// <summary>
    /// The target a person's request names: a configured target, or a group by its id (its rollback unit); for the operator
    /// console, which accepts both wherever a target is named.
    /// </summary>
    internal bool TryGetTargetOrGroup(string id, [NotNullWhen(true)] out RollbackTarget? target) =>
        _catalog.TryGet(id, out target) || TryGetGroupTarget(id, out target);

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
