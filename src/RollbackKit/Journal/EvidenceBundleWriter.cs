using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using RollbackKit.Redaction;
using RollbackKit.Triggers;

namespace RollbackKit.Journal;

/// <summary>
/// Writes one zip per rollback: <c>audit.json</c>, <c>decision.json</c> (the request with the measured values),
/// <c>journal.jsonl</c> (this rollback's journal entries), every step's output and a Markdown post-mortem draft. Every
/// text, and every string value of the JSON files, passes through the <see cref="SecretRedactor"/> first.
/// </summary>
internal static class EvidenceBundleWriter
{
    public static string Write(
        string directory,
        RollbackAuditRecord audit,
        RollbackRequest request,
        IReadOnlyList<JournalEntry> entries,
        IReadOnlyList<KeyValuePair<string, string>> items,
        SecretRedactor redactor)
    {
        Directory.CreateDirectory(directory);
        var path = Path.GetFullPath(Path.Combine(directory, $"{SafeFileName(audit.TargetId)}-{audit.RollbackId}.zip"));
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            {
                AddText(zip, "audit.json", JsonRedaction.Serialize(audit, redactor, JournalJson.Indented));
                AddText(zip, "decision.json", JsonRedaction.Serialize(request, redactor, JournalJson.Indented));
                var journal = new StringBuilder();
                foreach (var entry in entries)
                {
                    journal.Append(JsonRedaction.Serialize(entry, redactor, JournalJson.Options)).Append('\n');
                }

                AddText(zip, "journal.jsonl", journal.ToString());
                var used = new HashSet<string>(StringComparer.Ordinal) { "audit.json", "decision.json", "journal.jsonl", "postmortem.md" };
                foreach (var (name, content) in items)
                {
                    var entryName = SafeEntryName(name);
                    var unique = entryName;
                    for (var i = 2; !used.Add(unique); i++)
                    {
                        unique = $"{entryName}.{i}";
                    }

                    AddText(zip, unique, redactor.Redact(content));
                }

                AddText(zip, "postmortem.md", redactor.Redact(PostMortem(audit, request, entries)));
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static void AddText(ZipArchive zip, string name, string content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var stream = entry.Open();
        var bytes = Encoding.UTF8.GetBytes(content);
        stream.Write(bytes);
    }

    private static string SafeFileName(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not ('-' or '_' or '.'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string SafeEntryName(string name)
    {
        var parts = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p is not ("." or ".."))
            .Select(SafeFileName);
        var joined = string.Join('/', parts);
        return joined.Length == 0 ? "item.txt" : joined;
    }

    internal static string PostMortem(RollbackAuditRecord audit, RollbackRequest request, IReadOnlyList<JournalEntry> entries)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"# Post-mortem (draft): rollback of {audit.TargetId}\n\n");
        sb.Append(c, $"- Rollback id: `{audit.RollbackId}`\n");
        sb.Append(c, $"- Outcome: **{audit.State}**{(audit.Outcome is null ? string.Empty : " — " + Escape(audit.Outcome))}\n");
        sb.Append(c, $"- Severity: {audit.Trigger.Severity.ToPriority()} ({audit.Trigger.Severity})\n");
        sb.Append(c, $"- Requested by: {Escape(audit.RequestedBy ?? "-")}; approved by: {Escape(audit.ApprovedBy ?? "-")}\n");
        sb.Append(c, $"- Playbook duration: {audit.Execution.Duration} (budget {audit.Execution.Budget}, {(audit.Execution.WithinBudget ? "within" : "over")} budget)\n");
        sb.Append(c, $"- Verification: {(audit.Verification.Performed ? $"{audit.Verification.ChecksPassed}/{audit.Verification.ChecksTotal} checks healthy" : "not performed")} — {Escape(audit.Verification.Summary ?? string.Empty)}\n\n");

        sb.Append("## Trigger\n\n");
        sb.Append(c, $"- Type: {audit.Trigger.Type}\n");
        sb.Append(c, $"- Reason: {Escape(audit.Trigger.Reason)}\n");
        if (audit.Trigger.TriggerName is { } trigger)
        {
            sb.Append(c, $"- Trigger: {Escape(trigger)}\n");
        }

        if (request.Evidence is { } evidence)
        {
            sb.Append(c, $"- Condition: `{evidence.Condition}`\n");
            sb.Append(c, $"- Actual: {Format(evidence.Actual)}; threshold: {Format(evidence.Threshold)}\n");
            sb.Append(c, $"- First failed at: {evidence.FirstFailedAt:O}; detected at: {evidence.DetectedAt:O}\n\n");
            sb.Append("| Value | Measured |\n|---|---|\n");
            foreach (var value in evidence.Values)
            {
                sb.Append(c, $"| {Escape(value.Name)} | {Format(value.Value)} |\n");
            }
        }

        sb.Append("\n## Timeline\n\n| Time (UTC) | Event | Detail |\n|---|---|---|\n");
        foreach (var entry in entries)
        {
            var what = entry.Kind switch
            {
                JournalEntryKind.Transition or JournalEntryKind.Requested => $"{entry.Kind}: {entry.State}",
                JournalEntryKind.StepCompleted when entry.Step is { } step => $"Step {step.Name}: {(step.Succeeded ? "succeeded" : "failed")} in {step.Duration}",
                _ => entry.Kind.ToString(),
            };
            sb.Append(c, $"| {entry.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} | {Escape(what)} | {Escape(entry.Message ?? entry.Step?.Message ?? string.Empty)} |\n");
        }

        sb.Append("\n## Playbook steps\n\n| # | Step | Outcome | Attempts | Duration | Expected |\n|---|---|---|---|---|---|\n");
        foreach (var step in audit.Execution.Steps)
        {
            sb.Append(c, $"| {step.Index + 1} | {Escape(step.Name)} | {(step.Succeeded ? "ok" : "failed")}{(step.ExceededExpected ? " (over SLA)" : string.Empty)} | {step.Attempts} | {step.Duration} | {(step.ExpectedDuration?.ToString() ?? "-")} |\n");
        }

        sb.Append("\n## Impact (to fill)\n\n- Users affected: _\n- Duration of impact: _\n- Revenue / SLO impact: _\n- Detection gap: _\n");
        sb.Append("\n## Root cause (to fill)\n\n_\n");
        sb.Append("\n## Action items\n\n- [ ] Fix the root cause and redeploy\n- [ ] Add a test or check that would have caught it before release\n- [ ] Review trigger thresholds and playbook timings\n");
        return sb.ToString();
    }

    private static string Format(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "-";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
