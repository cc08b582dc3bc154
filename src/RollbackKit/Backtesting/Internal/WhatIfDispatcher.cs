using System.Globalization;
using RollbackKit.Dispatch;
using RollbackKit.Triggers;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// The dispatcher of a replay: decides each request with the real <see cref="AdmissionPolicy"/> and <see cref="KillSwitch"/>
/// (alert-only, kill switch, point of no return, P2 policy, cooldown, attempts), assumes every rollback it would have
/// started runs for a fixed time, and records each fired trigger with its decision. Acts on nothing.
/// </summary>
internal sealed class WhatIfDispatcher(AdmissionPolicy admission, KillSwitch killSwitch, TimeProvider clock, TimeSpan rollbackDuration) : IRollbackDispatcher
{
    private readonly Dictionary<string, TargetState> _targets = new(StringComparer.Ordinal);
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

        var screen = admission.Screen(request, killSwitch.IsEnabled(targetId), killSwitch.IsPastPointOfNoReturn(targetId));
        if (screen.Verdict == AdmissionVerdict.Alert)
        {
            return new DispatchResult(DispatchStatus.AlertRaised, null, screen.Reason);
        }

        if (!_targets.TryGetValue(targetId, out var state))
        {
            _targets[targetId] = state = new TargetState();
        }

        if (state.Active is { } active && now < active.CompletedAt)
        {
            return new DispatchResult(DispatchStatus.Joined, active.RollbackId, $"Rollback {active.RollbackId} of {targetId} is assumed still running; joined it.");
        }

        FinishedRollback? finished = state.Active is { } last ? last : null;
        state.Attempts.RemoveAll(t => !admission.StillCounts(t, now));
        var limits = admission.CheckLimits(request, finished, state.Attempts, now);
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
        return new DispatchResult(DispatchStatus.Started, id, $"Rollback {id} of {targetId} would start ({request.Severity.ToPriority()}).");
    }

    /// <summary>A target's replayed rollbacks: the last one started (and when it is assumed to end) and the attempts.</summary>
    private sealed class TargetState
    {
        public FinishedRollback? Active { get; set; }

        public List<DateTimeOffset> Attempts { get; } = [];
    }
}
