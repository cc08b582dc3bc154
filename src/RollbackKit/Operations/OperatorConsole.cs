using Microsoft.Extensions.Logging;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Operations;

/// <summary>The operator console over the dispatcher, its kill switches, the running workflows and the monitor's explanation.</summary>
internal sealed class OperatorConsole(
    RollbackDispatcher dispatcher,
    IReadOnlyList<RollbackTarget> targets,
    PlaybookCatalog playbooks,
    IMonitorExplainer? explainer,
    IApprovalGate approvals,
    ILogger<OperatorConsole> logger) : IOperatorConsole
{
    private TimeProvider Time => dispatcher.JournalRecorder.Time;

    public async ValueTask<OperatorStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await dispatcher.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        var explanation = explainer?.ExplainLastTick();
        var views = new List<TargetStatusView>(targets.Count);
        foreach (var target in targets)
        {
            var triggers = new List<TriggerStatusView>();
            if (explanation is not null)
            {
                foreach (var trigger in explanation.Triggers)
                {
                    if (string.Equals(trigger.Target, target.Id, StringComparison.Ordinal))
                    {
                        triggers.Add(new TriggerStatusView
                        {
                            Name = trigger.Trigger,
                            Outcome = trigger.Outcome.ToString(),
                            MeasuredValue = trigger.Actual,
                            Threshold = trigger.Threshold,
                            Text = trigger.Why,
                            Fired = trigger.Fired,
                            At = trigger.At,
                        });
                    }
                }
            }

            views.Add(new TargetStatusView
            {
                Id = target.Id,
                AutoRollbackEnabled = dispatcher.IsAutoRollbackEnabled(target.Id),
                PastPointOfNoReturn = dispatcher.IsPastPointOfNoReturn(target.Id),
                Triggers = triggers,
            });
        }

        var runs = dispatcher.Registry.ActiveRuns();
        Array.Sort(runs, static (a, b) => a.AcceptedAt.CompareTo(b.AcceptedAt));
        var active = new List<ActiveRollbackView>(runs.Length);
        foreach (var run in runs)
        {
            active.Add(View(run, now));
        }

        return new OperatorStatus { Time = now, AutoRollback = State(), Targets = views, Active = active };
    }

    public async ValueTask<AutoRollbackState> GetAutoRollbackAsync(CancellationToken cancellationToken = default)
    {
        await dispatcher.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return State();
    }

    public async ValueTask<ManualRollbackResponse> RollbackAsync(ManualRollbackRequest request, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        if (string.IsNullOrWhiteSpace(request.Target))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, "target is required: name the target to roll back.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, $"reason is required: say why {request.Target} is rolled back (it goes into the audit record).");
        }

        if (!dispatcher.TryGetTargetOrGroup(request.Target, out var target))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, UnknownTarget(request.Target));
        }

        await dispatcher.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var key = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? null : request.IdempotencyKey.Trim();
        if (key is not null && await FindByIdempotencyKeyAsync(target.Id, key, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            Log.IdempotencyKeyReused(logger, target.Id, earlier);
            return new ManualRollbackResponse { RollbackId = earlier, Joined = true, State = await StateOfAsync(target.Id, earlier, cancellationToken).ConfigureAwait(false) };
        }

        var result = await dispatcher.DispatchAsync(
            new RollbackRequest
            {
                Target = target,
                TriggerType = RollbackTriggerType.Manual,
                Severity = RollbackSeverity.Critical,
                Reason = request.Reason.Trim(),
                RequestedBy = requestedBy,
                RequestedAt = Time.GetUtcNow(),
                Force = request.Force,
                DeduplicationKey = key,
            },
            cancellationToken).ConfigureAwait(false);
        Log.ManualRollbackRequested(logger, target.Id, requestedBy, result.Message ?? result.Status.ToString());
        switch (result.Status)
        {
            case DispatchStatus.Started or DispatchStatus.Joined or DispatchStatus.Duplicate when result.RollbackId is { } id:
                return new ManualRollbackResponse
                {
                    RollbackId = id,
                    Joined = result.Status != DispatchStatus.Started,
                    State = await StateOfAsync(target.Id, id, cancellationToken).ConfigureAwait(false),
                };
            case DispatchStatus.Joined:
                // Another replica holds the target's lock and is rolling it back: the run id is not known here.
                return new ManualRollbackResponse { RollbackId = string.Empty, Joined = true, State = RollbackState.RollingBack.ToString() };
            default:
                throw new OperatorRequestException(OperatorErrorKind.Refused, result.Message ?? $"The rollback of {target.Id} was refused.", result.RollbackId);
        }
    }

    public ValueTask ApproveAsync(string rollbackId, string decidedBy, string? comment = null, CancellationToken cancellationToken = default) =>
        DecideAsync(rollbackId, ApprovalDecision.Approved, decidedBy, string.IsNullOrWhiteSpace(comment) ? null : comment, cancellationToken);

    public ValueTask HoldAsync(string rollbackId, string decidedBy, string? comment = null, CancellationToken cancellationToken = default) =>
        DecideAsync(rollbackId, ApprovalDecision.Rejected, decidedBy, string.IsNullOrWhiteSpace(comment) ? $"held by {decidedBy}" : $"held by {decidedBy}: {comment}", cancellationToken);

    public async ValueTask<AutoRollbackState> SetAutoRollbackAsync(AutoRollbackChange change, string changedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentException.ThrowIfNullOrWhiteSpace(changedBy);
        if (string.IsNullOrWhiteSpace(change.Reason))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, "reason is required: say why automatic rollback is turned " + (change.Enabled ? "on." : "off."));
        }

        var targetId = string.IsNullOrWhiteSpace(change.Target) ? null : change.Target;
        if (targetId is not null && !dispatcher.TryGetTargetOrGroup(targetId, out _))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, UnknownTarget(targetId));
        }

        await dispatcher.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        var reason = change.Reason.Trim();

        // Journaled first: the change holds after a restart once it was acknowledged.
        await dispatcher.JournalRecorder.AutoRollbackChangedAsync(targetId ?? KillSwitch.GlobalKey, change.Enabled, changedBy, reason, now, cancellationToken).ConfigureAwait(false);
        dispatcher.KillSwitch.Apply(new KillSwitchChange(targetId, change.Enabled, changedBy, reason, now));
        Log.AutoRollbackChanged(logger, targetId ?? KillSwitch.GlobalKey, change.Enabled ? "on" : "off", changedBy, reason);
        return State();
    }

    public async ValueTask<AttemptsResetResponse> ResetAttemptsAsync(string target, string reason, string resetBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resetBy);
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, "target is required: name the target whose attempts and cooldown are reset.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, $"reason is required: say why the attempts and cooldown of {target} are reset (it goes into the journal).");
        }

        if (!dispatcher.TryGetTargetOrGroup(target, out var known))
        {
            throw new OperatorRequestException(OperatorErrorKind.InvalidRequest, UnknownTarget(target));
        }

        await dispatcher.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var why = reason.Trim();
        var (key, at) = await dispatcher.ResetAttemptsCoreAsync(known.Id, resetBy, why, cancellationToken).ConfigureAwait(false);
        return new AttemptsResetResponse { Target = key, ResetBy = resetBy, Reason = why, At = at };
    }

    /// <summary>The refusal for an id that is neither a configured target nor a group: "Unknown target 'x'." and what is known.</summary>
    private string UnknownTarget(string id)
    {
        const int Shown = 10;
        var known = targets.Count <= Shown
            ? string.Join(", ", targets.Select(static t => t.Id))
            : string.Join(", ", targets.Take(Shown).Select(static t => t.Id)) + $" and {targets.Count - Shown} more";
        return $"Unknown target '{id}': it is neither a configured target nor a group id (targets: {known}).";
    }

    private async ValueTask DecideAsync(string rollbackId, ApprovalDecision decision, string decidedBy, string? comment, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rollbackId);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        if (!dispatcher.Registry.TryGetRun(rollbackId, out var run) || run.State != RollbackState.AwaitingApproval || run.ApprovalId is not { } approvalId
            || !await approvals.DecideAsync(approvalId, decision, decidedBy, comment, cancellationToken).ConfigureAwait(false))
        {
            throw new OperatorRequestException(OperatorErrorKind.NotFound, $"No approval is pending for rollback '{rollbackId}'.", rollbackId);
        }

        Log.OperatorDecided(logger, rollbackId, decision == ApprovalDecision.Approved ? "approved" : "held", decidedBy);
    }

    private AutoRollbackState State()
    {
        var change = dispatcher.KillSwitch.GlobalChange;
        return new AutoRollbackState
        {
            Enabled = dispatcher.AutoRollbackEnabled,
            ChangedBy = change?.ChangedBy,
            Reason = change?.Reason,
            ChangedAt = change?.At,
            TargetOverrides = dispatcher.KillSwitch.Overrides(),
        };
    }

    private ActiveRollbackView View(WorkflowRun run, DateTimeOffset now)
    {
        var budget = run.Budget;
        var stepCount = run.StepCount;
        if (run.PlaybookStartedAt is null)
        {
            try
            {
                var playbook = playbooks.Get(run.Target.Id);
                budget = playbook.Budget;
                stepCount = playbook.Steps.Count;
            }
            catch (PlaybookConfigurationException)
            {
                // An invalid playbook fails the run when it starts; until then its size is unknown.
            }
        }

        var request = run.Request;
        var completed = run.StepsSnapshot().Length;
        return new ActiveRollbackView
        {
            RollbackId = run.RollbackId,
            TargetId = run.Target.Id,
            State = run.State.ToString(),
            Reason = request.Reason,
            TriggerName = request.Evidence?.TriggerName,
            MeasuredValue = request.Evidence?.Actual,
            Threshold = request.Evidence?.Threshold,
            RequestedBy = request.RequestedBy,
            StartedAt = run.AcceptedAt,
            Elapsed = now - run.AcceptedAt,
            Budget = budget,
            StepIndex = run.CurrentStepIndex,
            StepCount = stepCount,
            CurrentStep = run.CurrentStepName,
            StepsCompleted = completed,
            VerificationChecksPassed = run.ChecksPassed,
            VerificationChecksTotal = run.ChecksTotal,
            ApprovalId = run.State == RollbackState.AwaitingApproval ? run.ApprovalId : null,
        };
    }

    /// <summary>The rollback a manual request with this idempotency key started before (this process or an earlier one).</summary>
    private async ValueTask<string?> FindByIdempotencyKeyAsync(string targetId, string key, CancellationToken cancellationToken)
    {
        var entries = await dispatcher.JournalRecorder.ReadAsync(targetId, cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            if (entry is { Kind: JournalEntryKind.Requested, RollbackId: { } id, Request: { TriggerType: RollbackTriggerType.Manual, DeduplicationKey: { } seen } }
                && string.Equals(seen, key, StringComparison.Ordinal))
            {
                return id;
            }
        }

        return null;
    }

    private async ValueTask<string> StateOfAsync(string targetId, string rollbackId, CancellationToken cancellationToken)
    {
        if (dispatcher.Registry.TryGetRun(rollbackId, out var run))
        {
            return run.State.ToString();
        }

        if (dispatcher.Registry.TryGetFinished(rollbackId, out var status))
        {
            return status.State.ToString();
        }

        RollbackState? state = null;
        var entries = await dispatcher.JournalRecorder.ReadAsync(targetId, cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            if (string.Equals(entry.RollbackId, rollbackId, StringComparison.Ordinal))
            {
                state = entry.Audit?.State ?? entry.State ?? state;
            }
        }

        return (state ?? RollbackState.RollbackPending).ToString();
    }
}
