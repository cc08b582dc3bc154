using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RollbackKit.Dispatch;
using RollbackKit.Notifications;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Internal;

/// <summary>Builds Block Kit messages (with a plain <c>text</c> fallback) for rollback events.</summary>
internal static class SlackMessageBuilder
{
    public const string ApproveActionId = "rollbackkit_approve";
    public const string HoldActionId = "rollbackkit_hold";
    public const string ApprovalBlockId = "rollbackkit_approval";

    /// <summary>Builds a <c>chat.postMessage</c> (or incoming webhook) body.</summary>
    public static byte[] BuildMessage(RollbackEvent e, string? channel, string? threadTs)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (channel is not null)
            {
                w.WriteString("channel", channel);
            }

            if (threadTs is not null)
            {
                w.WriteString("thread_ts", threadTs);
            }

            w.WriteString("text", FallbackText(e));
            w.WriteBoolean("unfurl_links", false);
            w.WritePropertyName("blocks");
            WriteBlocks(w, e);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The plain-text fallback (notifications, screen readers).</summary>
    public static string FallbackText(RollbackEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"[{e.Severity.ToPriority()}] {Title(e.Kind)}: {e.Target.Id}: {e.Message}");

    public static string Title(RollbackEventKind kind) => kind switch
    {
        RollbackEventKind.Fired => "Rollback triggered",
        RollbackEventKind.AwaitingApproval => "Rollback awaiting approval",
        RollbackEventKind.Started => "Rollback started",
        RollbackEventKind.StepCompleted => "Step completed",
        RollbackEventKind.Progress => "Rollback in progress",
        RollbackEventKind.Succeeded => "Rollback succeeded",
        RollbackEventKind.Failed => "Rollback failed",
        RollbackEventKind.Escalated => "Escalated",
        RollbackEventKind.Alert => "Alert",
        RollbackEventKind.Rejected => "Rollback held",
        RollbackEventKind.Resolved => "Resolved",
        _ => "Rollback event",
    };

    private static string Emoji(RollbackEvent e) => e.Kind switch
    {
        RollbackEventKind.Fired => ":rotating_light:",
        RollbackEventKind.AwaitingApproval => ":raised_hand:",
        RollbackEventKind.Started => ":rewind:",
        RollbackEventKind.StepCompleted => e.StepSucceeded == false ? ":x:" : ":heavy_check_mark:",
        RollbackEventKind.Progress => ":hourglass_flowing_sand:",
        RollbackEventKind.Succeeded => ":white_check_mark:",
        RollbackEventKind.Failed => ":x:",
        RollbackEventKind.Escalated => ":sos:",
        RollbackEventKind.Alert => ":warning:",
        RollbackEventKind.Rejected => ":no_entry:",
        RollbackEventKind.Resolved => ":large_green_circle:",
        _ => ":information_source:",
    };

    private static void WriteBlocks(Utf8JsonWriter w, RollbackEvent e)
    {
        w.WriteStartArray();

        // Headline.
        var headline = new StringBuilder();
        headline.Append(Emoji(e)).Append(" *").Append(Title(e.Kind)).Append("* for `").Append(Escape(e.Target.Id)).Append('`');
        if (e.Kind == RollbackEventKind.StepCompleted && e.StepName is not null)
        {
            headline.Append(": step *").Append(Escape(e.StepName)).Append("* ").Append(e.StepSucceeded == false ? "failed" : "succeeded");
        }

        headline.Append('\n').Append(Escape(e.Message));
        WriteSection(w, headline.ToString());

        // Details as fields.
        var fields = Fields(e);
        if (fields.Count > 0)
        {
            w.WriteStartObject();
            w.WriteString("type", "section");
            w.WriteStartArray("fields");
            foreach (var (label, value) in fields)
            {
                WriteText(w, "mrkdwn", $"*{label}*\n{value}");
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (e.Kind == RollbackEventKind.AwaitingApproval && e.ApprovalId is not null)
        {
            w.WriteStartObject();
            w.WriteString("type", "actions");
            w.WriteString("block_id", ApprovalBlockId);
            w.WriteStartArray("elements");
            WriteButton(w, ApproveActionId, "Approve rollback", e.ApprovalId, "primary");
            WriteButton(w, HoldActionId, "Hold", e.ApprovalId, "danger");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        // Context line.
        var context = new StringBuilder();
        if (e.RollbackId is not null)
        {
            context.Append("Rollback `").Append(Escape(e.RollbackId)).Append("` · ");
        }

        context.Append(e.Severity.ToPriority()).Append(" · ")
            .Append(e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC");
        if (e.EvidencePath is not null)
        {
            context.Append(" · evidence `").Append(Escape(e.EvidencePath)).Append('`');
        }

        w.WriteStartObject();
        w.WriteString("type", "context");
        w.WriteStartArray("elements");
        WriteText(w, "mrkdwn", context.ToString());
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteEndArray();
    }

    private static List<(string Label, string Value)> Fields(RollbackEvent e)
    {
        var fields = new List<(string, string)>(8);
        var request = e.Request;
        switch (e.Kind)
        {
            case RollbackEventKind.Fired or RollbackEventKind.AwaitingApproval or RollbackEventKind.Alert or RollbackEventKind.Escalated:
                fields.Add(("Target", $"`{Escape(e.Target.Id)}`"));
                fields.Add(("Severity", $"{e.Severity.ToPriority()} ({e.Severity})"));
                if (request is not null)
                {
                    fields.Add(("Trigger", Escape(request.Evidence?.TriggerName ?? request.TriggerType.ToString())));
                    if (request.Evidence is { } evidence)
                    {
                        fields.Add(("Measured", MeasuredText(evidence)));
                        fields.Add(("Condition", $"`{Escape(evidence.Condition)}`"));
                    }

                    fields.Add(("Reason", Escape(request.Reason)));
                    if (request.RequestedBy is not null)
                    {
                        fields.Add(("Requested by", Escape(request.RequestedBy)));
                    }
                }

                break;
            case RollbackEventKind.Succeeded:
                if (e.Duration is { } took)
                {
                    fields.Add(("Duration", FormatDuration(took)));
                }

                fields.Add(("Health", Escape(e.Message)));
                break;
            case RollbackEventKind.Started or RollbackEventKind.Progress or RollbackEventKind.StepCompleted
                or RollbackEventKind.Failed or RollbackEventKind.Resolved:
                if (e.Duration is { } elapsed)
                {
                    fields.Add((e.Kind == RollbackEventKind.StepCompleted ? "Step took" : "Elapsed", FormatDuration(elapsed)));
                }

                break;
        }

        if (e.Actor is not null && e.Kind is RollbackEventKind.Rejected or RollbackEventKind.Started or RollbackEventKind.Resolved)
        {
            fields.Add(("By", Escape(e.Actor)));
        }

        return fields;
    }

    private static string MeasuredText(TriggerEvidence evidence)
    {
        if (evidence.Actual is { } actual)
        {
            return evidence.Threshold is { } threshold
                ? $"{FormatNumber(actual)} vs threshold {FormatNumber(threshold)}"
                : FormatNumber(actual);
        }

        var sb = new StringBuilder();
        foreach (var value in evidence.Values)
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(Escape(value.Name)).Append(" = ").Append(FormatNumber(value.Value));
        }

        return sb.Length == 0 ? "n/a" : sb.ToString();
    }

    public static string FormatNumber(double value) =>
        double.IsNaN(value) ? "no data" : value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string FormatDuration(TimeSpan d) => d.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours}h {d.Minutes}m {d.Seconds}s")
        : d.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{d.Minutes}m {d.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.#}s");

    /// <summary>Escapes the three characters Slack's mrkdwn treats as control characters.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public static void WriteSection(Utf8JsonWriter w, string mrkdwn)
    {
        w.WriteStartObject();
        w.WriteString("type", "section");
        w.WritePropertyName("text");
        WriteText(w, "mrkdwn", Truncate(mrkdwn, 3000));
        w.WriteEndObject();
    }

    public static void WriteContext(Utf8JsonWriter w, string mrkdwn)
    {
        w.WriteStartObject();
        w.WriteString("type", "context");
        w.WriteStartArray("elements");
        WriteText(w, "mrkdwn", Truncate(mrkdwn, 3000));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter w, string type, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString("text", Truncate(text, 2000));
        if (type == "plain_text")
        {
            w.WriteBoolean("emoji", true);
        }

        w.WriteEndObject();
    }

    private static void WriteButton(Utf8JsonWriter w, string actionId, string label, string value, string style)
    {
        w.WriteStartObject();
        w.WriteString("type", "button");
        w.WriteString("action_id", actionId);
        w.WritePropertyName("text");
        WriteText(w, "plain_text", label);
        w.WriteString("value", value);
        w.WriteString("style", style);
        w.WriteEndObject();
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
