using RollbackKit.Groups;

namespace RollbackKit.Dispatch;

/// <summary>
/// The rules that decide a request for what it rolls back, a target or a coordinated group as a whole: which switch or mark screens
/// it, how the alert names who turned automatic rollback off, and how the limits name a group's rollback. Shared by the live
/// <see cref="RollbackDispatcher"/> and the backtest's what-if dispatcher, so both decide a member's request the same way.
/// </summary>
internal static class GroupScreening
{
    /// <summary>The group <paramref name="targetId"/> rolls back with (it is a member, or the group's own id); else <see langword="null"/>.</summary>
    public static GroupPlan? GroupOf(GroupCatalog groups, string targetId) =>
        groups.TryGetByMember(targetId, out var plan) || groups.TryGet(targetId, out plan) ? plan : null;

    /// <summary>
    /// Screens an automatic request with <paramref name="admission"/> for what it rolls back (alert-only, kill switches, point of no
    /// return, P2 policy). A kill-switch alert says who turned automatic rollback off, or that the configuration has it off.
    /// </summary>
    /// <param name="admission">The admission policy.</param>
    /// <param name="killSwitch">The switches and point-of-no-return marks.</param>
    /// <param name="groups">The configured groups.</param>
    /// <param name="request">The request; its target is a configured target or a group id.</param>
    public static AdmissionDecision Screen(AdmissionPolicy admission, KillSwitch killSwitch, GroupCatalog groups, RollbackRequest request)
    {
        var (switchedOff, pastPointOfNoReturn, group) = Inputs(killSwitch, groups, request.Target.Id);
        var screen = admission.Screen(request, switchedOff, pastPointOfNoReturn, group);
        return screen.Verdict == AdmissionVerdict.Alert && switchedOff is not null && AdmissionPolicy.IsAutomatic(request) && killSwitch.DescribeOff(switchedOff) is { } who
            ? AdmissionDecision.Alert($"{screen.Reason} (kill switch {who})")
            : screen;
    }

    /// <summary>
    /// What screens a request on <paramref name="targetId"/>, for what it rolls back. For a target: itself. For a group (asked for by a
    /// member or by its id): the requested member, then the group, then every member as listed — the first whose automatic rollback
    /// is off (the group when the global switch is off) and the first past its point of no return. An automatic request on one
    /// member must not roll back a sibling an operator froze or one that cannot be undone.
    /// </summary>
    public static (string? SwitchedOff, string? PastPointOfNoReturn, string? Group) Inputs(KillSwitch killSwitch, GroupCatalog groups, string targetId)
    {
        if (GroupOf(groups, targetId) is not { } plan)
        {
            return (killSwitch.IsEnabled(targetId) ? null : targetId, killSwitch.IsPastPointOfNoReturn(targetId) ? targetId : null, null);
        }

        string? off = killSwitch.GlobalEnabled ? null : plan.Id;
        string? pastPointOfNoReturn = null;
        foreach (var id in Order(plan, targetId))
        {
            off ??= killSwitch.IsEnabled(id) ? null : id;
            pastPointOfNoReturn ??= killSwitch.IsPastPointOfNoReturn(id) ? id : null;
        }

        return (off, pastPointOfNoReturn, plan.Id);
    }

    /// <summary>The ids whose switches and marks hold for a group's rollback: the requested member, the group, the members as listed.</summary>
    public static IEnumerable<string> Order(GroupPlan plan, string requested)
    {
        if (plan.Member(requested) is not null)
        {
            yield return requested;
        }

        yield return plan.Id;
        foreach (var member in plan.Listed)
        {
            if (!string.Equals(member.Id, requested, StringComparison.Ordinal))
            {
                yield return member.Id;
            }
        }
    }

    /// <summary>
    /// How refusals by the limits name a group's rollback (<paramref name="unitId"/> is the group's id): <c>group stack (db is a
    /// member)</c>, or <c>group stack</c> when asked for by its id; <see langword="null"/> for a target.
    /// </summary>
    public static string? LimitSubject(GroupCatalog groups, string unitId, string requestedId) =>
        !groups.TryGet(unitId, out _) ? null
        : string.Equals(requestedId, unitId, StringComparison.Ordinal) ? $"group {unitId}"
        : $"group {unitId} ({requestedId} is a member)";
}
