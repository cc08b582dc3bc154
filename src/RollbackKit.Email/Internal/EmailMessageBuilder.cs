using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using RollbackKit.Journal;
using RollbackKit.Redaction;
using RollbackKit.Triggers;

namespace RollbackKit.Email.Internal;

/// <summary>
/// Builds the summary mail of a finished rollback: one list of labelled values rendered twice, as plain text and as HTML
/// (every value HTML-encoded), in a <c>multipart/alternative</c> message. Every value passes through the redactor first.
/// </summary>
internal static class EmailMessageBuilder
{
    /// <summary>The header carrying the rollback id, for mail filters and threading.</summary>
    public const string RollbackIdHeader = "X-RollbackKit-Rollback-Id";

    public static MimeMessage Build(RollbackSummary summary, EmailOptions options, DateTimeOffset now, SecretRedactor redactor)
    {
        var message = new MimeMessage { Date = now, Subject = Subject(summary, options) };
        message.From.Add(EmailAddresses.TryParse(options.From, out var from) ? from : throw new InvalidOperationException("From is not an e-mail address."));
        foreach (var to in options.To)
        {
            if (EmailAddresses.TryParse(to, out var mailbox))
            {
                message.To.Add(mailbox);
            }
        }

        message.Headers.Add(RollbackIdHeader, summary.RollbackId);
        var rows = Rows(summary, options, redactor);
        var steps = Steps(summary, redactor);
        message.Body = new BodyBuilder { TextBody = Text(summary, rows, steps), HtmlBody = Html(summary, rows, steps) }.ToMessageBody();
        return message;
    }

    /// <summary>The subject from the template, on one line.</summary>
    public static string Subject(RollbackSummary summary, EmailOptions options)
    {
        var template = string.IsNullOrWhiteSpace(options.Subject) ? EmailOptions.DefaultSubject : options.Subject;
        var subject = EmailOptionsValidator.Placeholder().Replace(template, m => m.Groups[1].Value switch
        {
            "Result" => RollbackSummary.Describe(summary.Result),
            "Target" => summary.TargetId,
            "Trigger" => summary.Trigger,
            "Severity" => summary.Event.Severity.ToPriority(),
            "RollbackId" => summary.RollbackId,
            _ => m.Value,
        });
        return subject.ReplaceLineEndings(" ");
    }

    private static List<Row> Rows(RollbackSummary s, EmailOptions options, SecretRedactor redactor)
    {
        var rows = new List<Row>();
        void Add(string label, string? value, string? link = null)
        {
            if (!string.IsNullOrEmpty(value))
            {
                rows.Add(new Row(label, redactor.Redact(value)!, link is null ? null : redactor.Redact(link)));
            }
        }

        var request = s.Request;
        var evidence = request?.Evidence;
        Add("Result", RollbackSummary.Describe(s.Result) + ": " + s.Outcome);
        Add("Target", s.TargetId);
        Add("Rollback id", s.RollbackId);
        Add("Severity", s.Event.Severity.ToPriority());
        Add("Trigger", request is null ? s.Trigger : $"{s.Trigger} ({request.TriggerType})");
        Add("Reason", request?.Reason ?? s.Audit?.Trigger.Reason);
        Add("Condition", evidence?.Condition);
        if (evidence is not null)
        {
            Add("Measured values", string.Join(", ", evidence.Values.Select(static v => v.Name + " = " + Number(v.Value))));
            if (evidence.Actual is { } actual)
            {
                Add("Actual / threshold", Number(actual) + (evidence.Threshold is { } threshold ? " / " + Number(threshold) : string.Empty));
            }
        }

        Add("Requested by", request?.RequestedBy ?? s.Audit?.RequestedBy);
        Add("Approved by", s.Audit?.ApprovedBy);
        Add("Decided by", s.Result == RollbackState.Rejected ? s.Event.Actor : null);
        if (request?.RequestedAt is { } requestedAt && requestedAt != default)
        {
            Add("Requested at", Time(requestedAt));
        }

        Add("Finished at", Time(s.Audit?.Execution.CompletedAt ?? s.Event.Timestamp));
        Add("Duration", Duration(s.Duration));
        if (s.Audit?.Verification is { Performed: true } verification)
        {
            Add("Verification", string.Create(CultureInfo.InvariantCulture, $"{(verification.Success ? "passed" : "failed")} ({verification.ChecksPassed}/{verification.ChecksTotal} checks){(verification.Summary is null ? string.Empty : ": " + verification.Summary)}"));
        }

        if (s.EvidencePath is { } path)
        {
            var link = options.EvidenceBaseUrl is { } baseUrl
                ? baseUrl.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(Path.GetFileName(path))
                : null;
            Add("Evidence", link ?? path, link);
        }
        else
        {
            Add("Evidence", "none written");
        }

        return rows;
    }

    /// <summary>One line per step with its outcome, or <see langword="null"/> when the steps are unknown.</summary>
    private static List<string>? Steps(RollbackSummary s, SecretRedactor redactor)
    {
        if (s.Steps is not { } steps)
        {
            return null;
        }

        var lines = new List<string>(steps.Count);
        foreach (var step in steps)
        {
            lines.Add(redactor.Redact(StepLine(step))!);
        }

        return lines;
    }

    private static string StepLine(StepRecord step)
    {
        var line = new StringBuilder();
        line.Append(step.Name).Append(" (").Append(step.Type).Append("): ")
            .Append(step.Succeeded ? "succeeded" : step.ContinuedOnFailure ? "failed, continued" : "failed")
            .Append(" in ").Append(Duration(step.Duration));
        if (step.Attempts > 1)
        {
            line.Append(CultureInfo.InvariantCulture, $" after {step.Attempts} attempts");
        }

        if (step.ExceededExpected && step.ExpectedDuration is { } expected)
        {
            line.Append(" (expected ").Append(Duration(expected)).Append(')');
        }

        if (!string.IsNullOrEmpty(step.Message))
        {
            line.Append(": ").Append(step.Message);
        }

        return line.ToString();
    }

    private static string Text(RollbackSummary s, List<Row> rows, List<string>? steps)
    {
        var text = new StringBuilder();
        text.Append("Rollback of ").Append(s.TargetId).Append(": ").Append(RollbackSummary.Describe(s.Result)).Append("\n\n");
        var width = rows.Max(static r => r.Label.Length) + 2;
        foreach (var row in rows)
        {
            text.Append((row.Label + ":").PadRight(width)).Append(row.Value.ReplaceLineEndings(" ")).Append('\n');
        }

        text.Append("\nSteps:\n");
        if (steps is null)
        {
            text.Append("  (not available: the journal could not be read)\n");
        }
        else if (steps.Count == 0)
        {
            text.Append("  (none ran)\n");
        }
        else
        {
            for (var i = 0; i < steps.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {i + 1}. ").Append(steps[i].ReplaceLineEndings(" ")).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Html(RollbackSummary s, List<Row> rows, List<string>? steps)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(E("Rollback of " + s.TargetId)).Append("</title></head>\n<body style=\"font-family:sans-serif\">\n");
        html.Append("<h2>Rollback of ").Append(E(s.TargetId)).Append(": ").Append(E(RollbackSummary.Describe(s.Result))).Append("</h2>\n<table cellpadding=\"4\">\n");
        foreach (var row in rows)
        {
            html.Append("<tr><th align=\"left\" valign=\"top\">").Append(E(row.Label)).Append("</th><td>");
            if (row.Link is { } link)
            {
                html.Append("<a href=\"").Append(E(link)).Append("\">").Append(E(row.Value)).Append("</a>");
            }
            else
            {
                html.Append(E(row.Value));
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</table>\n<h3>Steps</h3>\n");
        if (steps is null)
        {
            html.Append("<p>Not available: the journal could not be read.</p>\n");
        }
        else if (steps.Count == 0)
        {
            html.Append("<p>None ran.</p>\n");
        }
        else
        {
            html.Append("<ol>\n");
            foreach (var step in steps)
            {
                html.Append("<li>").Append(E(step)).Append("</li>\n");
            }

            html.Append("</ol>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "no data" : value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration as <c>2m 5s</c>, <c>1h 2m 3s</c> or <c>4.2s</c>.</summary>
    internal static string Duration(TimeSpan d)
    {
        if (d < TimeSpan.FromMinutes(1))
        {
            return d.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";
        }

        var text = new StringBuilder();
        if (d.TotalHours >= 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(int)d.TotalHours}h ");
        }

        return text.Append(CultureInfo.InvariantCulture, $"{d.Minutes}m {d.Seconds}s").ToString();
    }

    /// <summary>One labelled value; <see cref="Link"/> makes it a hyperlink in HTML.</summary>
    private readonly record struct Row(string Label, string Value, string? Link);
}
