using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;
using RollbackKit.Verification;

namespace RollbackKit.Workflow;

internal sealed partial class RollbackDispatcher
{
    private async Task RunAsync(TargetRuntime runtime, WorkflowRun run)
    {
        var cancellationToken = run.Cancellation!.Token;
        try
        {
            if (!run.Resumed)
            {
                Publish(RollbackEventKind.Fired, run, $"Rollback of {run.Target.Id} requested ({run.Request.Severity.ToPriority()}, {run.Request.TriggerType}): {run.Request.Reason}", actor: run.Request.RequestedBy);
            }

            if (run.State is RollbackState.RollbackPending or RollbackState.AwaitingApproval)
            {
                if (!await ApplySeverityPolicyAsync(run, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            if (run.State is RollbackState.RollbackPending or RollbackState.AwaitingApproval or RollbackState.RollingBack)
            {
                var (succeeded, message) = await RunPlaybookAsync(run, cancellationToken).ConfigureAwait(false);
                if (!succeeded)
                {
                    await FinishAsync(run, RollbackState.RollbackFailed, message, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            var verified = await VerifyAsync(run, cancellationToken).ConfigureAwait(false);
            await FinishAsync(
                run,
                verified ? RollbackState.RolledBack : RollbackState.RollbackFailed,
                verified
                    ? $"{run.Target.Id} rolled back in {run.PlaybookDuration} and verified healthy ({run.Verification?.Summary})"
                    : $"{run.Target.Id} is still unhealthy after the rollback: previous version also unhealthy, systemic issue ({run.Verification?.Summary})",
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown or lock lost: the journal shows the workflow unfinished; whoever takes the lock next resumes it.
            Log.Interrupted(_logger, run.RollbackId, run.Target.Id, run.State);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WorkflowFailed(_logger, run.RollbackId, run.Target.Id, ex);
            try
            {
                if (!run.State.IsTerminal())
                {
                    await FinishAsync(run, RollbackState.RollbackFailed, $"Rollback workflow error: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception inner) when (inner is not OutOfMemoryException)
            {
                Log.WorkflowFailed(_logger, run.RollbackId, run.Target.Id, inner);
            }
        }
        finally
        {
            await ReleaseAsync(runtime, run).ConfigureAwait(false);
        }
    }

    private async ValueTask TransitionAsync(WorkflowRun run, RollbackState state, string? message, CancellationToken cancellationToken)
    {
        await AppendAsync(new JournalEntry
        {
            Timestamp = _time.GetUtcNow(),
            Kind = JournalEntryKind.Transition,
            RollbackId = run.RollbackId,
            TargetId = run.Target.Id,
            State = state,
            Message = message,
        }, cancellationToken).ConfigureAwait(false);
        run.State = state;
        Log.Transition(_logger, run.RollbackId, run.Target.Id, state);
    }

    /// <summary>Critical and manual: proceed. High: wait for an acknowledgement, proceed and escalate on timeout. Medium: explicit approval only.</summary>
    private async ValueTask<bool> ApplySeverityPolicyAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var detectedAt = request.Evidence?.DetectedAt ?? (request.RequestedAt == default ? run.AcceptedAt : request.RequestedAt);
        if (request.TriggerType == RollbackTriggerType.Manual || request.Severity == RollbackSeverity.Critical || run.ApprovedBy is not null)
        {
            _metrics.DetectionLatency(request, _time.GetUtcNow() - detectedAt);
            return true;
        }

        var high = request.Severity == RollbackSeverity.High;
        var timeout = high ? _workflow.AcknowledgementTimeout : _workflow.ApprovalTimeout;
        var approvalId = "ap-" + Guid.NewGuid().ToString("N")[..16];
        run.ApprovalId = approvalId;
        await TransitionAsync(run, RollbackState.AwaitingApproval, $"approval {approvalId}, timeout {timeout}", cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();

        // Register the wait before telling anyone, so an instant decision is never lost.
        var wait = _approvals.WaitAsync(new ApprovalRequest(approvalId, request, timeout), cancellationToken);
        Publish(
            RollbackEventKind.AwaitingApproval,
            run,
            high
                ? $"P1 rollback of {run.Target.Id} waits for an acknowledgement; it proceeds automatically in {timeout} and escalates to P0. Reason: {request.Reason}"
                : $"P2 rollback of {run.Target.Id} needs an explicit approval within {timeout}; it will not proceed without one. Reason: {request.Reason}",
            approvalId: approvalId);
        var outcome = await wait.ConfigureAwait(false);
        var waited = _time.GetElapsedTime(started);
        _metrics.ApprovalWait(request, waited);
        await AppendAsync(new JournalEntry
        {
            Timestamp = _time.GetUtcNow(),
            Kind = JournalEntryKind.ApprovalDecided,
            Decision = outcome.Decision,
            RollbackId = run.RollbackId,
            TargetId = run.Target.Id,
            Actor = outcome.Decision == ApprovalDecision.TimedOut ? (high ? "timeout" : null) : outcome.DecidedBy,
            Message = $"{outcome.Decision} after {waited}{(outcome.Comment is null ? string.Empty : ": " + outcome.Comment)}",
        }, cancellationToken).ConfigureAwait(false);

        switch (outcome.Decision)
        {
            case ApprovalDecision.Approved:
                run.ApprovedBy = outcome.DecidedBy;
                run.ApprovalComment = outcome.Comment;
                _metrics.DetectionLatency(request, _time.GetUtcNow() - detectedAt);
                return true;
            case ApprovalDecision.Rejected:
                run.ApprovalComment = outcome.Comment;
                await FinishAsync(run, RollbackState.Rejected, $"Rollback of {run.Target.Id} rejected by {outcome.DecidedBy}{(outcome.Comment is null ? string.Empty : ": " + outcome.Comment)}", cancellationToken, actor: outcome.DecidedBy).ConfigureAwait(false);
                return false;
            default:
                if (high)
                {
                    run.ApprovedBy = "timeout";
                    Publish(
                        RollbackEventKind.Escalated,
                        run,
                        $"P0 escalation: no acknowledgement within {timeout} for the P1 rollback of {run.Target.Id}; rolling back now. Reason: {request.Reason}",
                        severity: RollbackSeverity.Critical);
                    _metrics.DetectionLatency(request, _time.GetUtcNow() - detectedAt);
                    return true;
                }

                await FinishAsync(run, RollbackState.Rejected, $"P2 rollback of {run.Target.Id} was not approved within {timeout}; not rolled back.", cancellationToken).ConfigureAwait(false);
                return false;
        }
    }

    private BuiltPlaybook GetPlaybook(RollbackTarget target)
    {
        if (_builtPlaybooks.TryGetValue(target.Id, out var built))
        {
            return built;
        }

        var definition = _definitions.TryGetValue(target.Id, out var targetDefinition) && targetDefinition.Playbook is { } own ? own : _options.Playbook;
        built = _playbooks.Build(definition);
        return _builtPlaybooks.GetOrAdd(target.Id, built);
    }

    private async ValueTask<(bool Succeeded, string Message)> RunPlaybookAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        BuiltPlaybook playbook;
        try
        {
            playbook = GetPlaybook(run.Target);
        }
        catch (PlaybookConfigurationException ex)
        {
            await TransitionAsync(run, RollbackState.RollingBack, "playbook invalid", cancellationToken).ConfigureAwait(false);
            return (false, $"The playbook of {run.Target.Id} is invalid: {ex.Message}");
        }

        await TransitionAsync(run, RollbackState.RollingBack, run.Resumed && run.CompletedSteps.Count > 0 ? $"resuming after {run.CompletedSteps.Count} completed steps" : null, cancellationToken).ConfigureAwait(false);
        run.Budget = playbook.Budget;
        run.PlaybookStartedAt = _time.GetUtcNow();
        run.PlaybookStartTimestamp = _time.GetTimestamp();
        _metrics.Started(run.Request);
        Publish(RollbackEventKind.Started, run, $"Rolling back {run.Target.Id}: {playbook.Steps.Count} steps, budget {playbook.Budget}.");

        using var progress = StartProgressTimers(run, playbook.Budget);
        if (playbook.Steps.Count == 0)
        {
            Log.EmptyPlaybook(_logger, run.Target.Id);
        }

        foreach (var step in playbook.Steps)
        {
            if (run.CompletedSteps.Contains(step.Index))
            {
                continue;
            }

            var context = new PlaybookStepContext(run.RollbackId, run.Request, run.Evidence, _services, _time);
            var startedAt = _time.GetUtcNow();
            var execution = await StepExecutor.ExecuteAsync(step, context, _time, cancellationToken).ConfigureAwait(false);
            var expected = step.Definition.ExpectedDuration;
            var record = new StepRecord
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
            await AppendAsync(new JournalEntry
            {
                Timestamp = _time.GetUtcNow(),
                Kind = JournalEntryKind.StepCompleted,
                RollbackId = run.RollbackId,
                TargetId = run.Target.Id,
                Step = record,
            }, cancellationToken).ConfigureAwait(false);
            run.AddStep(record);
            if (record.Succeeded)
            {
                run.CompletedSteps.Add(step.Index);
            }

            Log.StepCompleted(_logger, run.RollbackId, step.Name, record.Succeeded, record.Duration, record.Attempts, record.Message);
            Publish(
                RollbackEventKind.StepCompleted,
                run,
                $"Step {step.Name} {(record.Succeeded ? "succeeded" : "failed")} in {record.Duration}{(record.Attempts > 1 ? $" after {record.Attempts} attempts" : string.Empty)}{(record.ExceededExpected ? $" (expected {expected})" : string.Empty)}{(record.Message is null ? string.Empty : ": " + record.Message)}",
                stepName: step.Name,
                stepSucceeded: record.Succeeded,
                duration: record.Duration);

            if (!record.Succeeded && !step.Definition.ContinueOnFailure)
            {
                run.PlaybookDuration = _time.GetElapsedTime(run.PlaybookStartTimestamp);
                return (false, $"Rollback of {run.Target.Id} failed at step {step.Name}: {record.Message}");
            }
        }

        run.PlaybookDuration = _time.GetElapsedTime(run.PlaybookStartTimestamp);
        return (true, string.Empty);
    }

    private ProgressTimers StartProgressTimers(WorkflowRun run, TimeSpan budget)
    {
        ITimer? progress = null;
        ITimer? overBudget = null;
        if (_workflow.ProgressInterval > TimeSpan.Zero)
        {
            progress = _time.CreateTimer(
                _ => Publish(RollbackEventKind.Progress, run, $"Rollback of {run.Target.Id} still running ({run.State}) after {_time.GetElapsedTime(run.PlaybookStartTimestamp)}; {run.StepsSnapshot().Length} steps done.", duration: _time.GetElapsedTime(run.PlaybookStartTimestamp)),
                null,
                _workflow.ProgressInterval,
                _workflow.ProgressInterval);
        }

        if (budget > TimeSpan.Zero && budget != Timeout.InfiniteTimeSpan)
        {
            overBudget = _time.CreateTimer(
                _ =>
                {
                    Log.OverBudget(_logger, run.RollbackId, run.Target.Id, budget);
                    Publish(RollbackEventKind.Progress, run, $"Rollback of {run.Target.Id} exceeded its time budget of {budget} (still {run.State}).", duration: _time.GetElapsedTime(run.PlaybookStartTimestamp));
                },
                null,
                budget,
                Timeout.InfiniteTimeSpan);
        }

        return new ProgressTimers(progress, overBudget);
    }

    private readonly struct ProgressTimers(ITimer? progress, ITimer? overBudget) : IDisposable
    {
        public void Dispose()
        {
            progress?.Dispose();
            overBudget?.Dispose();
        }
    }

    private async ValueTask<bool> VerifyAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        await TransitionAsync(run, RollbackState.Verifying, null, cancellationToken).ConfigureAwait(false);
        if (!_workflow.VerificationEnabled)
        {
            run.Verification = new VerificationRecord { Performed = false, Success = true, Summary = "verification disabled" };
            return true;
        }

        var probe = _services.GetService<ITargetHealthProbe>();
        if (probe is null)
        {
            run.Verification = new VerificationRecord { Performed = false, Success = true, Summary = "no health probe registered; assumed healthy" };
            return true;
        }

        if (run.PlaybookStartedAt is null)
        {
            run.PlaybookStartTimestamp = _time.GetTimestamp();
        }

        using var progress = StartProgressTimers(run, TimeSpan.Zero);
        var window = _workflow.VerificationWindow < TimeSpan.Zero ? TimeSpan.Zero : _workflow.VerificationWindow;
        var interval = _workflow.VerificationInterval <= TimeSpan.Zero ? TimeSpan.FromSeconds(15) : _workflow.VerificationInterval;
        var start = _time.GetTimestamp();
        int total = 0, passed = 0;
        TargetHealth last;
        while (true)
        {
            try
            {
                last = await probe.ProbeAsync(run.Target, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = new TargetHealth(false, $"health probe failed: {ex.Message}", []);
            }

            total++;
            if (last.Healthy)
            {
                passed++;
            }

            run.Evidence.Add($"verification/check-{total}.txt", $"at: {_time.GetUtcNow():O}\nhealthy: {last.Healthy}\n{last.Summary}\n{string.Join('\n', (last.Values ?? []).Select(v => $"{v.Name} = {v.Value}"))}");
            var elapsed = _time.GetElapsedTime(start);
            if (elapsed >= window)
            {
                break;
            }

            var wait = window - elapsed < interval ? window - elapsed : interval;
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }

        run.Verification = new VerificationRecord
        {
            Performed = true,
            ChecksTotal = total,
            ChecksPassed = passed,
            Success = last.Healthy,
            Summary = passed == total
                ? $"healthy in {passed}/{total} checks: {last.Summary}"
                : $"{(last.Healthy ? "recovered" : "unhealthy")}, healthy in {passed}/{total} checks: {last.Summary}",
        };
        return last.Healthy;
    }

    /// <summary>Journals the terminal state, writes the audit record and evidence bundle, and notifies.</summary>
    private async ValueTask FinishAsync(WorkflowRun run, RollbackState state, string message, CancellationToken cancellationToken, string? actor = null)
    {
        await TransitionAsync(run, state, message, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        run.CompletedAt = now;
        run.Message = message;
        var audit = BuildAudit(run, state, message, now);
        if (_workflow.EvidenceEnabled)
        {
            try
            {
                var entries = (await _journal.ReadAsync(run.Target.Id, CancellationToken.None).ConfigureAwait(false))
                    .Where(e => string.Equals(e.RollbackId, run.RollbackId, StringComparison.Ordinal))
                    .ToArray();
                run.EvidencePath = EvidenceBundleWriter.Write(_workflow.EvidenceDirectory, audit, run.Request, entries, run.Evidence.Items);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Log.EvidenceFailed(_logger, run.RollbackId, ex);
            }
        }

        await AppendAsync(new JournalEntry
        {
            Timestamp = now,
            Kind = JournalEntryKind.Completed,
            RollbackId = run.RollbackId,
            TargetId = run.Target.Id,
            State = state,
            Audit = audit,
            EvidencePath = run.EvidencePath,
            Message = message,
        }, CancellationToken.None).ConfigureAwait(false);

        var duration = run.PlaybookStartedAt is null ? TimeSpan.Zero : _time.GetElapsedTime(run.PlaybookStartTimestamp);
        switch (state)
        {
            case RollbackState.RolledBack:
                _metrics.Succeeded(run.Request, duration);
                Publish(RollbackEventKind.Succeeded, run, message, duration: duration);
                break;
            case RollbackState.RollbackFailed:
                _metrics.Failed(run.Request, duration);
                Publish(RollbackEventKind.Failed, run, message, duration: duration);
                Publish(RollbackEventKind.Escalated, run, $"Critical: {message}. A human must act now.", severity: RollbackSeverity.Critical);
                break;
            case RollbackState.Rejected:
                Publish(RollbackEventKind.Rejected, run, message, actor: actor);
                break;
            case RollbackState.NeedsAttention:
                Publish(RollbackEventKind.Escalated, run, message, severity: RollbackSeverity.Critical);
                break;
        }

        Log.Finished(_logger, run.RollbackId, run.Target.Id, state, message);
    }

    private static RollbackAuditRecord BuildAudit(WorkflowRun run, RollbackState state, string message, DateTimeOffset now)
    {
        var request = run.Request;
        var evidence = request.Evidence;
        return new RollbackAuditRecord
        {
            RollbackId = run.RollbackId,
            TargetId = run.Target.Id,
            State = state,
            Outcome = message,
            RequestedBy = request.RequestedBy,
            ApprovedBy = run.ApprovedBy,
            ApprovalComment = run.ApprovalComment,
            JoinedRequests = run.JoinedRequests,
            Resumed = run.Resumed,
            Trigger = new TriggerRecord
            {
                Type = request.TriggerType,
                Severity = request.Severity,
                Reason = request.Reason,
                TriggerName = evidence?.TriggerName,
                Threshold = evidence?.Threshold,
                ActualValue = evidence?.Actual,
                FirstFailedAt = evidence?.FirstFailedAt is { } first && first != default ? first : null,
                DetectedAt = evidence?.DetectedAt is { } detected && detected != default ? detected : (request.RequestedAt == default ? run.AcceptedAt : request.RequestedAt),
                RequestedAt = run.AcceptedAt,
            },
            Execution = new ExecutionRecord
            {
                StartedAt = run.PlaybookStartedAt,
                CompletedAt = now,
                Duration = run.PlaybookDuration,
                Budget = run.Budget,
                WithinBudget = run.Budget <= TimeSpan.Zero || run.PlaybookDuration <= run.Budget,
                Steps = run.StepsSnapshot(),
            },
            Verification = run.Verification ?? new VerificationRecord { Performed = false, Success = false, Summary = "not reached" },
        };
    }

    private void Publish(
        RollbackEventKind kind,
        WorkflowRun run,
        string message,
        string? approvalId = null,
        string? stepName = null,
        bool? stepSucceeded = null,
        TimeSpan? duration = null,
        string? actor = null,
        RollbackSeverity? severity = null)
    {
        if (_notifications.NotifierCount == 0)
        {
            return;
        }

        _notifications.Publish(new RollbackEvent
        {
            Kind = kind,
            RollbackId = run.RollbackId,
            Target = run.Target,
            Severity = severity ?? run.Request.Severity,
            Message = message,
            Timestamp = _time.GetUtcNow(),
            Request = run.Request,
            ApprovalId = approvalId,
            StepName = stepName,
            StepSucceeded = stepSucceeded,
            Duration = duration,
            Actor = actor ?? run.ApprovedBy,
            EvidencePath = run.EvidencePath,
        });
    }

    private void Publish(RollbackEventKind kind, string? rollbackId, RollbackTarget target, RollbackRequest request, string message)
    {
        if (_notifications.NotifierCount == 0)
        {
            return;
        }

        _notifications.Publish(new RollbackEvent
        {
            Kind = kind,
            RollbackId = rollbackId,
            Target = target,
            Severity = request.Severity,
            Message = message,
            Timestamp = _time.GetUtcNow(),
            Request = request,
            Actor = request.RequestedBy,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} accepted ({TriggerType}, {Priority}): {Reason}")]
        public static partial void Accepted(ILogger logger, string rollbackId, string target, RollbackTriggerType triggerType, string priority, string reason);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Rollback {RollbackId} of {Target} -> {State}")]
        public static partial void Transition(ILogger logger, string rollbackId, string target, RollbackState state);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Rollback {RollbackId}: step {Step} succeeded={Succeeded} in {Duration} ({Attempts} attempts): {Message}")]
        public static partial void StepCompleted(ILogger logger, string rollbackId, string step, bool succeeded, TimeSpan duration, int attempts, string? message);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} finished {State}: {Message}")]
        public static partial void Finished(ILogger logger, string rollbackId, string target, RollbackState state, string message);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} interrupted in state {State}; it stays unfinished in the journal and is resumed by the next lock holder")]
        public static partial void Interrupted(ILogger logger, string rollbackId, string target, RollbackState state);

        [LoggerMessage(EventId = 1206, Level = LogLevel.Error, Message = "Rollback {RollbackId} of {Target}: workflow error")]
        public static partial void WorkflowFailed(ILogger logger, string rollbackId, string target, Exception exception);

        [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Alert for {Target}: {Message}")]
        public static partial void Alerted(ILogger logger, string target, string message);

        [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Rollback request for {Target} refused: {Message}")]
        public static partial void Refused(ILogger logger, string target, string message);

        [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Automatic rollback for {Target} enabled={Enabled}")]
        public static partial void KillSwitch(ILogger logger, string target, bool enabled);

        [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Journal shows rollback {RollbackId} of {Target} unfinished in state {State}")]
        public static partial void FoundUnfinished(ILogger logger, string rollbackId, string target, RollbackState state);

        [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Resuming rollback {RollbackId} of {Target} from state {State}")]
        public static partial void Resumed(ILogger logger, string rollbackId, string target, RollbackState state);

        [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Releasing the lock of {Target} failed")]
        public static partial void LockReleaseFailed(ILogger logger, string target, Exception exception);

        [LoggerMessage(EventId = 1213, Level = LogLevel.Warning, Message = "{Count} rollbacks did not stop within the shutdown timeout")]
        public static partial void ShutdownTimedOut(ILogger logger, int count);

        [LoggerMessage(EventId = 1214, Level = LogLevel.Warning, Message = "Rollback {RollbackId} of {Target} exceeded its budget of {Budget}")]
        public static partial void OverBudget(ILogger logger, string rollbackId, string target, TimeSpan budget);

        [LoggerMessage(EventId = 1215, Level = LogLevel.Error, Message = "Rollback {RollbackId}: writing the evidence bundle failed")]
        public static partial void EvidenceFailed(ILogger logger, string rollbackId, Exception exception);

        [LoggerMessage(EventId = 1216, Level = LogLevel.Warning, Message = "The playbook of {Target} has no steps")]
        public static partial void EmptyPlaybook(ILogger logger, string target);
    }
}
