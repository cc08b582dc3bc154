using System.Globalization;
using RollbackKit.Cli.Planning;
using RollbackKit.Journal;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Cli.Drills;

/// <summary>Turns a drill's journal entries into its phases: admission, approval, each step, the playbook, verification.</summary>
internal static class DrillPhases
{
    public static IReadOnlyList<DrillPhase> From(IReadOnlyList<JournalEntry> entries, PlaybookDefinition playbook, RollbackWorkflowOptions workflow)
    {
        var phases = new List<DrillPhase>();
        var requested = entries.FirstOrDefault(static e => e.Kind == JournalEntryKind.Requested);
        if (requested is null)
        {
            return phases;
        }

        var requestedAt = requested.Request?.RequestedAt ?? requested.Timestamp;
        phases.Add(new("Admission", requestedAt, requested.Timestamp - requestedAt, "—", true,
            $"accepted ({requested.Request?.TriggerType} request, severity {requested.Request?.Severity})"));

        var awaiting = Transition(entries, RollbackState.AwaitingApproval);
        var rolling = Transition(entries, RollbackState.RollingBack);
        var verifying = Transition(entries, RollbackState.Verifying);
        var completed = entries.LastOrDefault(static e => e.Kind == JournalEntryKind.Completed);
        var decided = entries.LastOrDefault(static e => e.Kind == JournalEntryKind.ApprovalDecided);
        var approvalEnd = rolling?.Timestamp ?? completed?.Timestamp;
        if (awaiting is null)
        {
            phases.Add(new("Approval", requested.Timestamp, approvalEnd - requested.Timestamp, "—", rolling is not null,
                rolling is null ? "the playbook did not start" : "not required (manual request)"));
        }
        else
        {
            var expected = requested.Request?.Severity == Triggers.RollbackSeverity.High ? workflow.AcknowledgementTimeout : workflow.ApprovalTimeout;
            var who = decided is null ? "no decision" : $"{decided.Decision} by {decided.Actor ?? "unknown"}";
            phases.Add(new("Approval", awaiting.Timestamp, approvalEnd - awaiting.Timestamp, $"timeout {Durations.Format(expected)}", rolling is not null, who));
        }

        var steps = entries.Where(static e => e.Kind == JournalEntryKind.StepCompleted && e.Step is not null).Select(static e => e.Step!).ToArray();
        foreach (var step in steps)
        {
            var definition = step.Index < playbook.Steps.Count ? playbook.Steps[step.Index] : null;
            var expected = step.ExpectedDuration is { } e
                ? $"{Durations.Format(e)} expected"
                : "no expected duration";
            if (definition is not null)
            {
                expected += $", timeout {Durations.Format(definition.Timeout)}";
            }

            var attempts = step.Attempts == 1 ? "1 attempt" : string.Create(CultureInfo.InvariantCulture, $"{step.Attempts} attempts");
            var outcome = step.Succeeded ? "succeeded" : step.ContinuedOnFailure ? "failed (continued)" : "failed";
            var slow = step.ExceededExpected ? ", slower than expected" : string.Empty;
            phases.Add(new(
                string.Create(CultureInfo.InvariantCulture, $"Step {step.Index + 1}: {step.Name} ({step.Type})"),
                step.StartedAt,
                step.Duration,
                expected,
                step.Succeeded && !step.ExceededExpected,
                $"{outcome} in {attempts}{slow}{(string.IsNullOrEmpty(step.Message) ? string.Empty : ": " + step.Message)}"));
        }

        var audit = completed?.Audit;
        if (audit?.Execution is { StartedAt: { } started } execution)
        {
            phases.Add(new("Playbook", started, execution.Duration, $"budget {Durations.Format(execution.Budget)}", execution.WithinBudget,
                string.Create(CultureInfo.InvariantCulture, $"{steps.Count(static s => s.Succeeded)} of {playbook.Steps.Count} steps succeeded, {(execution.WithinBudget ? "within" : "over")} budget")));
        }

        if (verifying is not null)
        {
            var verification = audit?.Verification;
            var end = completed?.Timestamp;
            var window = workflow.VerificationWindow == TimeSpan.Zero ? "one check" : $"window {Durations.Format(workflow.VerificationWindow)}";
            phases.Add(new("Verification", verifying.Timestamp, end - verifying.Timestamp, window, verification is { Performed: true, Success: true },
                verification is null
                    ? "did not finish"
                    : string.Create(CultureInfo.InvariantCulture, $"{(verification.Success ? "healthy" : "not healthy")}, {verification.ChecksPassed} of {verification.ChecksTotal} checks passed{(verification.Summary is { Length: > 0 } s ? ": " + s : string.Empty)}")));
        }

        return phases;
    }

    private static JournalEntry? Transition(IReadOnlyList<JournalEntry> entries, RollbackState state) =>
        entries.FirstOrDefault(e => e.Kind == JournalEntryKind.Transition && e.State == state);
}
