using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RollbackKit.Approval;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Telemetry;

namespace RollbackKit.Workflow;

/// <summary>
/// The workflow's playbook phase: runs the target's steps in order (skipping those a resumed rollback already completed), each in
/// a <c>rollbackkit.step</c> span, journaling every step's outcome before going on.
/// </summary>
internal sealed class PlaybookStage(PlaybookCatalog playbooks, IStepContextFactory contexts, RollbackRecorder recorder, RollbackKitMetrics metrics, SeverityGate gate, ILogger<PlaybookStage> logger)
{
    private readonly InterruptedStepResolver _interrupted = new(gate, recorder, metrics, logger);

    /// <summary>Runs the playbook; returns whether it succeeded and, when not, why and whether it stopped for a human.</summary>
    public async ValueTask<(bool Succeeded, string Message, bool NeedsAttention)> RunAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        var time = recorder.Time;
        BuiltPlaybook playbook;
        try
        {
            playbook = playbooks.Get(run.Target.Id);
        }
        catch (PlaybookConfigurationException ex)
        {
            await recorder.TransitionAsync(run, RollbackState.RollingBack, "playbook invalid", cancellationToken).ConfigureAwait(false);
            return (false, $"The playbook of {run.Target.Id} is invalid: {ex.Message}", false);
        }

        await recorder.TransitionAsync(run, RollbackState.RollingBack, run.Resumed && run.CompletedSteps.Count > 0 ? $"resuming after {run.CompletedSteps.Count} completed steps" : null, cancellationToken).ConfigureAwait(false);
        run.Budget = playbook.Budget;
        run.StepCount = playbook.Steps.Count;
        run.PlaybookStartedAt = time.GetUtcNow();
        run.PlaybookStartTimestamp = time.GetTimestamp();
        if (!run.IsGroupMember)
        {
            // A group's rollback is counted once, by its group stage.
            metrics.RollbackStarted(run.Request);
        }
        recorder.Publish(RollbackEventKind.Started, run, $"Rolling back {run.Target.Id}: {playbook.Steps.Count} steps, budget {playbook.Budget}.");

        using var progress = recorder.StartProgress(run, playbook.Budget);
        if (playbook.Steps.Count == 0)
        {
            Log.EmptyPlaybook(logger, run.Target.Id);
        }

        foreach (var step in playbook.Steps)
        {
            if (run.CompletedSteps.Contains(step.Index))
            {
                continue;
            }

            if (run.InterruptedSteps.Remove(step.Index, out var interrupted))
            {
                var (decision, why) = await _interrupted.ResolveAsync(run, step, interrupted, CreateContext(run, step), cancellationToken).ConfigureAwait(false);
                if (decision == InterruptedStepDecision.Skip)
                {
                    continue;
                }

                if (decision == InterruptedStepDecision.Stop)
                {
                    run.PlaybookDuration = time.GetElapsedTime(run.PlaybookStartTimestamp);
                    return (false, why!, true);
                }
            }

            run.CurrentStepName = step.Name;
            run.CurrentStepIndex = step.Index;
            var record = await RunStepAsync(run, step, cancellationToken).ConfigureAwait(false);
            run.CurrentStepIndex = -1;
            run.CurrentStepName = null;
            if (!record.Succeeded && !step.Definition.ContinueOnFailure)
            {
                run.PlaybookDuration = time.GetElapsedTime(run.PlaybookStartTimestamp);
                return (false, $"Rollback of {run.Target.Id} failed at step {step.Name}: {record.Message}", false);
            }
        }

        run.PlaybookDuration = time.GetElapsedTime(run.PlaybookStartTimestamp);
        return (true, string.Empty, false);
    }

    private PlaybookStepContext CreateContext(WorkflowRun run, BuiltStep step)
    {
        var context = contexts.Create(run.RollbackId, run.Request, run.Evidence);
        context.StepIndex = step.Index;
        context.GroupMember = run.IsGroupMember;
        return context;
    }

    private async ValueTask<Journal.StepRecord> RunStepAsync(WorkflowRun run, BuiltStep step, CancellationToken cancellationToken)
    {
        var time = recorder.Time;
        using var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.step");
        activity?.SetTag(RollbackKitTags.RollbackId, run.RollbackId);
        activity?.SetTag(RollbackKitTags.TargetId, run.Target.Id);
        activity?.SetTag(RollbackKitTags.StepType, step.Definition.Type);
        activity?.SetTag(RollbackKitTags.StepIndex, step.Index);
        activity?.SetTag(RollbackKitTags.StepName, step.Name);

        var context = CreateContext(run, step);
        var startedAt = time.GetUtcNow();

        // Durable before the step runs: a restart that finds this without a StepCompleted knows the step was interrupted.
        await recorder.Journal.StepStartedAsync(
            run.RollbackId,
            run.Target.Id,
            new Journal.StepRecord { Index = step.Index, Name = step.Name, Type = step.Definition.Type, StartedAt = startedAt, Message = "idempotency key " + context.IdempotencyKey },
            cancellationToken).ConfigureAwait(false);
        var execution = await StepExecutor.ExecuteAsync(step, context, time, cancellationToken).ConfigureAwait(false);
        var expected = step.Definition.ExpectedDuration;
        var record = new Journal.StepRecord
        {
            Index = step.Index,
            Name = step.Name,
            Type = step.Definition.Type,
            Succeeded = execution.Result.Succeeded,
            Message = execution.Result.Message,
            Attempts = execution.Attempts,
            StartedAt = startedAt,
            Duration = execution.Duration,
            ExpectedDuration = expected,
            ExceededExpected = expected is { } limit && execution.Duration > limit,
            ContinuedOnFailure = !execution.Result.Succeeded && step.Definition.ContinueOnFailure,
        };
        activity?.SetTag(RollbackKitTags.Outcome, record.Succeeded ? "succeeded" : "failed");
        activity?.SetTag(RollbackKitTags.StepAttempts, record.Attempts);
        if (!record.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, record.Message);
        }

        await recorder.Journal.StepCompletedAsync(run.RollbackId, run.Target.Id, record, cancellationToken).ConfigureAwait(false);
        run.AddStep(record);
        if (record.Succeeded)
        {
            run.CompletedSteps.Add(step.Index);
        }

        metrics.StepCompleted(record.Type, record.Succeeded, record.Duration);
        Log.StepCompleted(logger, run.RollbackId, step.Name, record.Succeeded, record.Duration, record.Attempts, record.Message);
        recorder.Publish(
            RollbackEventKind.StepCompleted,
            run,
            $"Step {step.Name} {(record.Succeeded ? "succeeded" : "failed")} in {record.Duration}{(record.Attempts > 1 ? $" after {record.Attempts} attempts" : string.Empty)}{(record.ExceededExpected ? $" (expected {expected})" : string.Empty)}{(record.Message is null ? string.Empty : ": " + record.Message)}",
            stepName: step.Name,
            stepSucceeded: record.Succeeded,
            duration: record.Duration);
        return record;
    }
}
