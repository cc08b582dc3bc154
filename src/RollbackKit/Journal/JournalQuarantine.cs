using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RollbackKit.Telemetry;

namespace RollbackKit.Journal;

/// <summary>A journal line that could not be used, set aside in the sibling <c>.corrupt</c> file.</summary>
/// <param name="JournalPath">The journal file.</param>
/// <param name="Line">The line number in the journal, from 1.</param>
/// <param name="Reason">Why the line was set aside.</param>
/// <param name="TargetId">The target the line names, when it can still be read.</param>
/// <param name="RollbackId">The rollback the line names, when it can still be read.</param>
internal readonly record struct QuarantinedLine(string JournalPath, int Line, string Reason, string? TargetId, string? RollbackId);

/// <summary>
/// Sets aside journal lines that are not valid records: each is copied once, with its line number and the reason, into
/// <c>&lt;journal&gt;.corrupt</c>, logged at Error and counted; the lines not yet reported are kept for whoever notifies
/// people (the journal never calls up into the workflow).
/// </summary>
internal sealed class JournalQuarantine(ILogger logger, RollbackKitMetrics? metrics)
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string Path, int Line, string Text)> _seen = [];
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
    private readonly List<QuarantinedLine> _new = [];

    /// <summary>Sets the line aside unless it already was; returns whether it was new.</summary>
    public bool Quarantine(string journalPath, int line, ReadOnlySpan<byte> content, string reason)
    {
        var text = Encoding.UTF8.GetString(content);
        var corruptPath = journalPath + ".corrupt";
        lock (_lock)
        {
            if (_loaded.Add(journalPath))
            {
                LoadExisting(journalPath, corruptPath);
            }

            if (!_seen.Add((journalPath, line, text)))
            {
                return false;
            }

            var (targetId, rollbackId) = Names(content);
            try
            {
                using var stream = new FileStream(corruptPath, FileMode.Append, FileAccess.Write, FileShare.Read);
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("line", line);
                    writer.WriteString("reason", reason);
                    writer.WriteString("text", text);
                    writer.WriteEndObject();
                }

                stream.WriteByte((byte)'\n');
                stream.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.QuarantineWriteFailed(logger, corruptPath, ex);
            }

            Log.QuarantinedLine(logger, journalPath, line, reason, corruptPath);
            metrics?.JournalLineQuarantined();
            _new.Add(new QuarantinedLine(journalPath, line, reason, targetId, rollbackId));
            return true;
        }
    }

    /// <summary>Returns the lines set aside since the last call, and forgets them.</summary>
    public IReadOnlyList<QuarantinedLine> DrainNew()
    {
        lock (_lock)
        {
            var result = _new.ToArray();
            _new.Clear();
            return result;
        }
    }

    /// <summary>Lines already in the <c>.corrupt</c> file were reported by an earlier process: not again.</summary>
    private void LoadExisting(string journalPath, string corruptPath)
    {
        if (!File.Exists(corruptPath))
        {
            return;
        }

        try
        {
            foreach (var existing in File.ReadLines(corruptPath))
            {
                try
                {
                    using var document = JsonDocument.Parse(existing);
                    if (document.RootElement.TryGetProperty("line", out var line) && document.RootElement.TryGetProperty("text", out var text))
                    {
                        _seen.Add((journalPath, line.GetInt32(), text.GetString() ?? string.Empty));
                    }
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
                {
                    // A damaged quarantine file only means a line may be reported again.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.QuarantineWriteFailed(logger, corruptPath, ex);
        }
    }

    /// <summary>The target and rollback a damaged line names, when its JSON still says so.</summary>
    private static (string? TargetId, string? RollbackId) Names(ReadOnlySpan<byte> content)
    {
        try
        {
            var reader = new Utf8JsonReader(content);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            return (String(document.RootElement, "targetId"), String(document.RootElement, "rollbackId"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not valid UTF-8.
            return (null, null);
        }

        static string? String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString() : null;
    }
}

/// <summary>Checks that a parsed journal line is a record the replay can use.</summary>
internal static class JournalRecordValidator
{
    /// <summary>Returns why <paramref name="entry"/> is not a valid record, or <see langword="null"/> when it is.</summary>
    public static string? Validate(JournalEntry entry)
    {
        if (!Enum.IsDefined(entry.Kind))
        {
            return $"unknown kind {(int)entry.Kind}";
        }

        if (string.IsNullOrWhiteSpace(entry.TargetId))
        {
            return "targetId is missing";
        }

        if (entry.State is { } state && !Enum.IsDefined(state))
        {
            return $"unknown state {(int)state}";
        }

        if (entry.Request is { } request)
        {
            if (request.Target is null || string.IsNullOrWhiteSpace(request.Target.Id))
            {
                return "request.target.id is missing";
            }

            // A group's rollback is requested for a member and kept under the group id, which the record names.
            var underGroup = entry.Kind == JournalEntryKind.Requested && string.Equals(entry.GroupId, entry.TargetId, StringComparison.Ordinal);
            if (!underGroup && !string.Equals(request.Target.Id, entry.TargetId, StringComparison.Ordinal))
            {
                return $"request.target.id '{request.Target.Id}' differs from targetId '{entry.TargetId}'";
            }
        }

        var needsRollbackId = entry.Kind is JournalEntryKind.Requested or JournalEntryKind.Transition or JournalEntryKind.StepCompleted
            or JournalEntryKind.StepStarted or JournalEntryKind.ApprovalDecided or JournalEntryKind.Completed;
        if (needsRollbackId && string.IsNullOrWhiteSpace(entry.RollbackId))
        {
            return $"rollbackId is missing on a {entry.Kind} record";
        }

        return entry.Kind switch
        {
            JournalEntryKind.Requested when entry.Request is null => "request is missing on a Requested record",
            JournalEntryKind.Joined or JournalEntryKind.Duplicate or JournalEntryKind.Alert or JournalEntryKind.Refused or JournalEntryKind.DryRunFired when entry.Request is null => $"request is missing on a {entry.Kind} record",
            JournalEntryKind.Transition when entry.State is null => "state is missing on a Transition record",
            JournalEntryKind.StepCompleted or JournalEntryKind.StepStarted when entry.Step is null => $"step is missing on a {entry.Kind} record",
            JournalEntryKind.StepCompleted or JournalEntryKind.StepStarted when entry.Step!.Index < 0 => $"step.index {entry.Step.Index} is negative",
            JournalEntryKind.ApprovalDecided when entry.Decision is not { } decision || !Enum.IsDefined(decision) => "decision is missing or unknown on an ApprovalDecided record",
            _ => null,
        };
    }
}
