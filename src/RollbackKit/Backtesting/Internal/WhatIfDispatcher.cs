using System.Globalization;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Triggers;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// The dispatcher of a replay: decides each request with the real <see cref="AdmissionPolicy"/> and <see cref="KillSwitch"/>
/// (alert-only, kill switch, point of no return, P2 policy, cooldown, attempts), assumes every rollback it would have
/// started runs for a fixed time, and records each fired trigger with its decision. A request for a member of a coordinated
/// group is decided for the group as the live dispatcher decides it (<see cref="GroupScreening"/>): one rollback of the group,
/// which fires on other members join while it is assumed to run, with the group's cooldown and attempts, screened by every
/// member's switches and marks. Acts on nothing.
/// </summary>
internal sealed class WhatIfDispatcher(AdmissionPolicy admission, KillSwitch killSwitch, GroupCatalog groups, TimeProvider clock, TimeSpan rollbackDuration) : IRollbackDispatcher
{
    private readonly Dictionary<string, UnitState> _units = new(StringComparer.Ordinal);
    private int _started;

    /// <summary>Every fired trigger so far, in order, with its decision.</summary>
    public List<BacktestFire> Fires { get; } = [];

    public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = Decide(request, clock.GetUtcNow());
        if (request.Evidence is { } evidence)
        {
            var values = new Dictionary<string, double>(evidence.Values.Count, StringComparer.Ordinal);
            foreach (var value in evidence.Values)
            {
                values[value.Name] = value.Value;
            }

            Fires.Add(new BacktestFire
            {
                Target = request.Target.Id,
                Trigger = evidence.TriggerName,
                At = evidence.DetectedAt,
                Severity = request.Severity,
                Action = request.AlertOnly ? TriggerAction.AlertOnly : TriggerAction.Rollback,
                DryRun = evidence.DryRun,
                Decision = result.Status,
                DecisionReason = result.Message ?? string.Empty,
                Group = GroupScreening.GroupOf(groups, request.Target.Id)?.Id,
                RollbackId = result.RollbackId,
                Reason = request.Reason,
                Values = values,
                BreachingSince = evidence.FirstFailedAt,
            });
        }

        return ValueTask.FromResult(result);
    }

    private DispatchResult Decide(RollbackRequest request, DateTimeOffset now)
    {
        var targetId = request.Target.Id;
        if (request.Evidence is { DryRun: true } dryRun)
        {
            return new DispatchResult(DispatchStatus.DryRunRecorded, null, $"Trigger {dryRun.TriggerName} fired in dry run for {targetId}; recorded, not acted on: {request.Reason}");
        }

        var screen = GroupScreening.Screen(admission, killSwitch, groups, request);
        if (screen.Verdict == AdmissionVerdict.Alert)
        {
            return new DispatchResult(DispatchStatus.AlertRaised, null, screen.Reason);
        }

        // The rollback unit: the group for a member (its one rollback, cooldown and attempts), else the target.
        var group = GroupScreening.GroupOf(groups, targetId);
        var unitId = group?.Id ?? targetId;
        if (!_units.TryGetValue(unitId, out var state))
        {
            _units[unitId] = state = new UnitState();
        }

        // A rollback runs for the assumed duration; requests at the instant it started join it even when that duration is
        // zero, as live requests of the same tick join the run the first of them started.
        if (state.Active is { } active && (now < active.CompletedAt || now == state.StartedAt))
        {
            return new DispatchResult(DispatchStatus.Joined, active.RollbackId, group is null
                ? $"Rollback {active.RollbackId} of {targetId} is assumed still running; joined it."
                : $"Rollback {active.RollbackId} of group {unitId} is assumed still running; {Requested(group, targetId)}, so this request joined it.");
        }

        FinishedRollback? finished = state.Active is { } last ? last : null;
        state.Attempts.RemoveAll(t => !admission.StillCounts(t, now));
        var limits = admission.CheckLimits(request, finished, state.Attempts, now, GroupScreening.LimitSubject(groups, unitId, targetId));
        if (limits.Verdict == AdmissionVerdict.Refuse)
        {
            return new DispatchResult(DispatchStatus.Refused, limits.RollbackId, limits.Reason);
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"backtest-{++_started}");
        if (AdmissionPolicy.IsAutomatic(request))
        {
            state.Attempts.Add(now);
        }

        state.Active = new FinishedRollback(id, RollbackState.RolledBack, now + rollbackDuration);
        state.StartedAt = now;
        return new DispatchResult(DispatchStatus.Started, id, group is null
            ? $"Rollback {id} of {targetId} would start ({request.Severity.ToPriority()})."
            : $"Rollback {id} of group {unitId} would start ({request.Severity.ToPriority()}); {Requested(group, targetId)}, so the group rolls back as one: {Members(group)}.");
    }

    /// <summary>How a group's decision names the request: <c>shop/api is a member</c>, or that it named the group.</summary>
    private static string Requested(GroupPlan group, string targetId) =>
        string.Equals(group.Id, targetId, StringComparison.Ordinal) ? "the request names the group" : $"{targetId} is a member";

    /// <summary>The members in the order they roll back: <c>shop/web, shop/api, shop/db</c> (<c>all at once: …</c> in parallel).</summary>
    private static string Members(GroupPlan group)
    {
        var members = string.Join(", ", group.Sequence.Select(static m => m.Id));
        return group.Parallel ? $"all at once: {members}" : members;
    }

    /// <summary>A rollback unit's replayed rollbacks (a target's, or a group's): the last one started (and when it is assumed to end) and the attempts.</summary>
    private sealed class UnitState
    {
        public FinishedRollback? Active { get; set; }

        public DateTimeOffset StartedAt { get; set; }

        public List<DateTimeOffset> Attempts { get; } = [];
    }
}
