using RollbackKit.Notifications;

namespace RollbackKit.Redaction;

/// <summary>
/// Redacts the free text of a notification before any notifier sees it: the message (built from reasons, step results and
/// error messages), the actor, the step name, the evidence path, and the request's reason, requester, details and source
/// warnings. Ids, the target and numbers stay as they are.
/// </summary>
internal static class NotificationRedaction
{
    /// <summary>Returns <paramref name="e"/> itself when none of its text is secret, else a redacted copy.</summary>
    public static RollbackEvent Redact(RollbackEvent e, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = redactor.Redact(e.Message);
        var actor = redactor.Redact(e.Actor);
        var stepName = redactor.Redact(e.StepName);
        var evidencePath = redactor.Redact(e.EvidencePath);
        var request = e.Request is null ? null : Redact(e.Request, redactor);
        if (ReferenceEquals(message, e.Message) && ReferenceEquals(actor, e.Actor) && ReferenceEquals(stepName, e.StepName)
            && ReferenceEquals(evidencePath, e.EvidencePath) && ReferenceEquals(request, e.Request))
        {
            return e;
        }

        return new RollbackEvent
        {
            Kind = e.Kind,
            RollbackId = e.RollbackId,
            Target = e.Target,
            Severity = e.Severity,
            Message = message,
            Timestamp = e.Timestamp,
            Request = request,
            ApprovalId = e.ApprovalId,
            StepName = stepName,
            StepSucceeded = e.StepSucceeded,
            Duration = e.Duration,
            Actor = actor,
            EvidencePath = evidencePath,
        };
    }

    private static RollbackRequest Redact(RollbackRequest r, SecretRedactor redactor)
    {
        var reason = redactor.Redact(r.Reason);
        var requestedBy = redactor.Redact(r.RequestedBy);
        var details = RedactValues(r.Details, redactor);
        var evidence = r.Evidence is { Warnings: { Count: > 0 } warnings } ? RedactWarnings(r.Evidence, warnings, redactor) : r.Evidence;
        if (ReferenceEquals(reason, r.Reason) && ReferenceEquals(requestedBy, r.RequestedBy) && ReferenceEquals(details, r.Details)
            && ReferenceEquals(evidence, r.Evidence))
        {
            return r;
        }

        return new RollbackRequest
        {
            Target = r.Target,
            TriggerType = r.TriggerType,
            Severity = r.Severity,
            Reason = reason,
            RequestedBy = requestedBy,
            WorkflowId = r.WorkflowId,
            DeduplicationKey = r.DeduplicationKey,
            Details = details,
            Evidence = evidence,
            RequestedAt = r.RequestedAt,
            AlertOnly = r.AlertOnly,
            Force = r.Force,
        };
    }

    private static IReadOnlyDictionary<string, string> RedactValues(IReadOnlyDictionary<string, string> values, SecretRedactor redactor)
    {
        Dictionary<string, string>? copy = null;
        foreach (var (key, value) in values)
        {
            var redacted = redactor.Redact(value);
            if (!ReferenceEquals(redacted, value))
            {
                copy ??= new Dictionary<string, string>(values, StringComparer.Ordinal);
                copy[key] = redacted;
            }
        }

        return copy ?? values;
    }

    private static TriggerEvidence RedactWarnings(TriggerEvidence evidence, IReadOnlyList<string> warnings, SecretRedactor redactor)
    {
        string[]? copy = null;
        for (var i = 0; i < warnings.Count; i++)
        {
            var redacted = redactor.Redact(warnings[i]);
            if (!ReferenceEquals(redacted, warnings[i]))
            {
                copy ??= [.. warnings];
                copy[i] = redacted;
            }
        }

        return copy is null ? evidence : new TriggerEvidence
        {
            TriggerName = evidence.TriggerName,
            Condition = evidence.Condition,
            Values = evidence.Values,
            Actual = evidence.Actual,
            Threshold = evidence.Threshold,
            FirstFailedAt = evidence.FirstFailedAt,
            DetectedAt = evidence.DetectedAt,
            DryRun = evidence.DryRun,
            Warnings = copy,
        };
    }
}
