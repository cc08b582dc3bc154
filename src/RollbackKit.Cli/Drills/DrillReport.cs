using System.Globalization;
using System.Text;
using RollbackKit.Cli.Planning;
using RollbackKit.Journal;

namespace RollbackKit.Cli.Drills;

/// <summary>One phase of a drill: admission, approval, each step, the playbook as a whole, verification.</summary>
/// <param name="Name">The phase, for example <c>Step 1: health (http)</c>.</param>
/// <param name="StartedAt">When it started, when known.</param>
/// <param name="Duration">How long it took, when known.</param>
/// <param name="Expected">The expected duration or budget it is measured against, as text; <c>—</c> when none.</param>
/// <param name="Passed">Whether it went as planned (succeeded and within what was expected).</param>
/// <param name="Result">What happened.</param>
internal sealed record DrillPhase(string Name, DateTimeOffset? StartedAt, TimeSpan? Duration, string Expected, bool Passed, string Result);

/// <summary>The outcome of a drill and everything its report shows.</summary>
internal sealed record DrillReport
{
    public required string TargetId { get; init; }

    public required string RequestedBy { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? RollbackId { get; init; }

    public RollbackState? State { get; init; }

    /// <summary>Whether the drill rolled back and verified within budget.</summary>
    public required bool Passed { get; init; }

    /// <summary>One line: why it passed or failed.</summary>
    public required string Verdict { get; init; }

    public IReadOnlyList<DrillPhase> Phases { get; init; } = [];

    public VerificationRecord? Verification { get; init; }

    public IReadOnlyList<NotificationRecord> Notifications { get; init; } = [];

    public string? JournalPath { get; init; }

    public string? EvidencePath { get; init; }

    /// <summary>The report as markdown.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Rollback drill: {TargetId}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Result: {(Passed ? "PASSED" : "FAILED")}** — {Cell(Verdict)}\n");
        md.Append(CultureInfo.InvariantCulture, $"- Rollback: `{RollbackId ?? "none"}`, final state {(State?.ToString() ?? "none")}\n");
        md.Append(CultureInfo.InvariantCulture, $"- Requested by: {RequestedBy}, reason \"drill\"\n");
        md.Append(CultureInfo.InvariantCulture, $"- Started: {Time(StartedAt)}; finished: {(FinishedAt is { } f ? Time(f) : "—")}\n");
        if (FinishedAt is { } finished)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Total: {Durations.Format(finished - StartedAt)}\n");
        }

        md.Append("\n## Phases\n\n");
        md.Append("| Phase | Started | Duration | Expected / budget | Result |\n");
        md.Append("|---|---|---|---|---|\n");
        foreach (var phase in Phases)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {Cell(phase.Name)} | {(phase.StartedAt is { } s ? Time(s) : "—")} | {(phase.Duration is { } d ? Durations.Format(d) : "—")} | {Cell(phase.Expected)} | {(phase.Passed ? "ok" : "**problem**")}: {Cell(phase.Result)} |\n");
        }

        md.Append("\n## Verification\n\n");
        if (Verification is { } v)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Performed: {(v.Performed ? "yes" : "no")}\n");
            md.Append(CultureInfo.InvariantCulture, $"- Result: {(v.Success ? "healthy" : "not healthy")} ({v.ChecksPassed} of {v.ChecksTotal} checks passed)\n");
            md.Append(CultureInfo.InvariantCulture, $"- Summary: {Cell(v.Summary ?? "—")}\n");
        }
        else
        {
            md.Append("- Not reached.\n");
        }

        md.Append("\n## Notifications\n\n");
        if (Notifications.Count == 0)
        {
            md.Append("None sent.\n");
        }
        else
        {
            md.Append("| Time | Notifier | Event | Destination | Delivered |\n");
            md.Append("|---|---|---|---|---|\n");
            foreach (var n in Notifications)
            {
                var kind = n.Step is null ? n.Event.ToString() : $"{n.Event} ({n.Step})";
                md.Append(CultureInfo.InvariantCulture, $"| {Time(n.Time)} | {Cell(n.Notifier)} | {Cell(kind)} | {Cell(n.Destination)} | {(n.Delivered ? "yes" : "no: " + Cell(n.Error ?? "failed"))} |\n");
            }
        }

        md.Append("\n## Records\n\n");
        md.Append(CultureInfo.InvariantCulture, $"- Journal: `{JournalPath ?? "—"}`\n");
        md.Append(CultureInfo.InvariantCulture, $"- Evidence bundle: `{EvidencePath ?? "—"}`\n");
        return md.ToString();
    }

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Cell(string text) => text.Replace("\r", string.Empty, StringComparison.Ordinal)
        .Replace('\n', ' ')
        .Replace("|", "\\|", StringComparison.Ordinal);
}
