using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Redaction;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Workflow;

/// <summary>Ends a rollback: journals the final state, writes the audit record and the evidence bundle, records metrics and notifies.</summary>
internal sealed class CompletionStage(
    RollbackRecorder recorder,
    IOptions<WorkflowOptions> options,
    RollbackKitMetrics metrics,
    ILogger<CompletionStage> logger,
    SecretRedactor? redactor = null)
{
    private readonly SecretRedactor _redactor = redactor ?? SecretRedactor.Patterns;
    private readonly WorkflowOptions _options = options.Value;

    /// <summary>Whether rollbacks a previous process left unfinished are resumed (else they end as <see cref="RollbackState.NeedsAttention"/>).</summary>
    public bool ResumesUnfinished => _options.UnfinishedWorkflows == UnfinishedWorkflowPolicy.Resume;

    /// <summary>Journals <paramref name="state"/> (a final state) and everything that goes with the end of a rollback.</summary>
    public async ValueTask FinishAsync(WorkflowRun run, RollbackState state, string message, CancellationToken cancellationToken, string? actor = null)
    {
        await recorder.TransitionAsync(run, state, message, cancellationToken).ConfigureAwait(false);
        var time = recorder.Time;
        var now = time.GetUtcNow();
        run.CompletedAt = now;
        run.Message = message;
        var audit = AuditRecords.Build(run, state, message, now);
        if (_options.EvidenceEnabled)
        {
            try
            {
                // A group's rollback journals its members' records under their own ids: read them all.
                var entries = (await recorder.Journal.ReadAsync(run.Group is null ? run.Target.Id : null, CancellationToken.None).ConfigureAwait(false))
                    .Where(e => string.Equals(e.RollbackId, run.RollbackId, StringComparison.Ordinal))
                    .ToArray();
                run.EvidencePath = EvidenceBundleWriter.Write(_options.EvidenceDirectory, audit, run.Request, entries, run.Evidence.Items, _redactor);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Log.EvidenceFailed(logger, run.RollbackId, ex);
            }
        }

        await recorder.Journal.CompletedAsync(audit, run.EvidencePath, now, CancellationToken.None).ConfigureAwait(false);

        var duration = run.PlaybookStartedAt is null ? TimeSpan.Zero : time.GetElapsedTime(run.PlaybookStartTimestamp);
        switch (state)
        {
            case RollbackState.RolledBack:
                metrics.RollbackSucceeded(run.Request, duration);
                recorder.Publish(RollbackEventKind.Succeeded, run, message, duration: duration);
                break;
            case RollbackState.RollbackFailed:
                metrics.RollbackFailed(run.Request, duration);
                recorder.Publish(RollbackEventKind.Failed, run, message, duration: duration);
                recorder.Publish(RollbackEventKind.Escalated, run, $"Critical: {message}. A human must act now.", severity: RollbackSeverity.Critical);
                break;
            case RollbackState.Rejected:
                recorder.Publish(RollbackEventKind.Rejected, run, message, actor: actor);
                break;
            case RollbackState.NeedsAttention:
                metrics.RollbackNeedsAttention(run.Request);
                recorder.Publish(RollbackEventKind.Escalated, run, message, severity: RollbackSeverity.Critical);
                break;
        }

        Log.Finished(logger, run.RollbackId, run.Target.Id, state, message);
    }
}

/// <summary>Builds the audit record of a finished run.</summary>
internal static class AuditRecords
{
    public static RollbackAuditRecord Build(WorkflowRun run, RollbackState state, string message, DateTimeOffset now)
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
            Group = run.Group?.ToRecord(),
        };
    }
}
