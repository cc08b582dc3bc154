using Microsoft.Extensions.Logging;
using RollbackKit.Approval;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Telemetry;

namespace RollbackKit.Workflow;

/// <summary>What to do with a step a previous process started and did not finish.</summary>
internal enum InterruptedStepDecision
{
    /// <summary>Its effect is proven in place: count it as done, do not run it.</summary>
    Skip = 0,

    /// <summary>Run it (repeatable, proven not applied, or a human approved).</summary>
    Rerun = 1,

    /// <summary>Do not run it and stop the rollback for a human (rejected or no decision in time).</summary>
    Stop = 2,
}

/// <summary>
/// Decides, on resume, what happens to a step that started and did not finish, so that no step runs twice unseen: skipped when
/// the step proves its effect happened (<see cref="IStepEffectProbe"/>), re-run when it is repeatable (<see cref="IRepeatableStep"/>)
/// or proven not applied, otherwise paused for a human decision through the approval gate, with a notification naming the step.
/// </summary>
internal sealed class InterruptedStepResolver(SeverityGate gate, RollbackRecorder recorder, RollbackKitMetrics metrics, ILogger logger)
{
    /// <summary>Decides for <paramref name="step"/>, interrupted as <paramref name="interrupted"/>; returns the decision and, for <see cref="InterruptedStepDecision.Stop"/>, why.</summary>
    public async ValueTask<(InterruptedStepDecision Decision, string? Message)> ResolveAsync(
        WorkflowRun run, BuiltStep step, StepRecord interrupted, PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var type = step.Definition.Type;
        if (step.Step is IStepEffectProbe probe)
        {
            var effect = StepEffect.Unknown;
            try
            {
                effect = await probe.ProbeEffectAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                Log.EffectProbeFailed(logger, run.RollbackId, step.Name, ex);
            }

            Log.InterruptedStep(logger, run.RollbackId, step.Name, effect.ToString());
            if (effect == StepEffect.Applied)
            {
                await SkipAsync(run, step, cancellationToken).ConfigureAwait(false);
                metrics.StepInterrupted(type, "skipped");
                return (InterruptedStepDecision.Skip, null);
            }

            if (effect == StepEffect.NotApplied)
            {
                metrics.StepInterrupted(type, "rerun");
                return (InterruptedStepDecision.Rerun, null);
            }
        }

        if (step.Step is IRepeatableStep { IsRepeatable: true })
        {
            Log.InterruptedStep(logger, run.RollbackId, step.Name, "repeatable");
            metrics.StepInterrupted(type, "rerun");
            return (InterruptedStepDecision.Rerun, null);
        }

        metrics.StepInterrupted(type, "paused");
        return await AskAsync(run, step, interrupted, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SkipAsync(WorkflowRun run, BuiltStep step, CancellationToken cancellationToken)
    {
        var record = new StepRecord
        {
            Index = step.Index,
            Name = step.Name,
            Type = step.Definition.Type,
            Succeeded = true,
            Message = "interrupted by a restart; its effect is verified in place, not run again",
            Attempts = 0,
            StartedAt = recorder.Time.GetUtcNow(),
        };
        await recorder.Journal.StepCompletedAsync(run.RollbackId, run.Target.Id, record, cancellationToken).ConfigureAwait(false);
        run.AddStep(record);
        run.CompletedSteps.Add(step.Index);
        recorder.Publish(RollbackEventKind.StepCompleted, run, $"Step {step.Name} was interrupted by a restart; its effect is verified in place, so it is not run again.", stepName: step.Name, stepSucceeded: true);
    }

    /// <summary>Pauses for a human: approve to run the step again, reject (or let the wait time out) to stop.</summary>
    private async ValueTask<(InterruptedStepDecision, string?)> AskAsync(WorkflowRun run, BuiltStep step, StepRecord interrupted, CancellationToken cancellationToken)
    {
        var approvalId = SeverityGate.NewApprovalId();
        var timeout = gate.Timeout(GateRequirement.Approval);
        var question = $"Rollback of {run.Target.Id} was interrupted during step {step.Name} ({step.Definition.Type}, started {interrupted.StartedAt:u}); "
            + $"it may or may not have taken effect and cannot be proven. Approve to run step {step.Name} again, reject to stop; without a decision within {timeout} the rollback stops for attention.";
        Log.InterruptedStep(logger, run.RollbackId, step.Name, "paused for a decision");
        var (outcome, waited) = await gate.WaitAsync(
            approvalId,
            run.Request,
            GateRequirement.Approval,
            () => recorder.Publish(RollbackEventKind.AwaitingApproval, run, question, approvalId: approvalId, stepName: step.Name),
            cancellationToken).ConfigureAwait(false);
        await recorder.Journal.ApprovalDecidedAsync(
            run.RollbackId,
            run.Target.Id,
            outcome.Decision,
            outcome.DecidedBy,
            $"re-run of interrupted step {step.Name}: {outcome.Decision} after {waited}{(outcome.Comment is null ? string.Empty : ": " + outcome.Comment)}",
            cancellationToken).ConfigureAwait(false);
        return outcome.Decision == ApprovalDecision.Approved
            ? (InterruptedStepDecision.Rerun, null)
            : (InterruptedStepDecision.Stop, outcome.Decision == ApprovalDecision.Rejected
                ? $"Step {step.Name} of the rollback of {run.Target.Id} was interrupted by a restart and {outcome.DecidedBy} decided not to run it again; a human must check {run.Target.Id}."
                : $"Step {step.Name} of the rollback of {run.Target.Id} was interrupted by a restart and nobody decided within {timeout} whether to run it again; a human must check {run.Target.Id}.");
    }
}
