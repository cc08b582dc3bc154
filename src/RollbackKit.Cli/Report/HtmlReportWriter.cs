using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using RollbackKit.Cli.Backtest;

namespace RollbackKit.Cli.Report;

/// <summary>
/// Writes the backtest report: one self-contained HTML file (styles, the uPlot chart library, the data and the drawing
/// script inlined) that opens offline. Every value from the configuration or the metrics is HTML-encoded here, and the
/// script only ever sets text, never markup.
/// </summary>
internal static class HtmlReportWriter
{
    private const string ResourcePrefix = "RollbackKit.Cli.Report.";
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string Render(BacktestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var title = $"Backtest {Time(report.From)} – {Time(report.To)}";
        var replacements = new (string Token, string Value)[]
        {
            ("{{TITLE}}", Encoder.Encode(title)),
            ("{{UPLOT_CSS}}", Resource("vendor.uPlot.min.css")),
            ("{{STYLE}}", Resource("report.css")),
            ("{{BODY}}", Body(report, title)),
            ("{{DATA}}", BacktestJson.ToEmbeddedJson(report)),
            ("{{UPLOT_VERSION}}", Resource("vendor.VERSION").Trim()),
            ("{{UPLOT_LICENSE}}", Resource("vendor.LICENSE").Replace("*/", "* /", StringComparison.Ordinal)),
            ("{{UPLOT_JS}}", Resource("vendor.uPlot.iife.min.js")),
            ("{{SCRIPT}}", Resource("report.js")),
        };

        // Replaced in one pass over the template so that a value can never be mistaken for a later token.
        var template = Resource("report.html");
        var html = new StringBuilder(template.Length + 200_000);
        var position = 0;
        while (position < template.Length)
        {
            var next = template.IndexOf("{{", position, StringComparison.Ordinal);
            if (next < 0)
            {
                html.Append(template, position, template.Length - position);
                break;
            }

            html.Append(template, position, next - position);
            var matched = false;
            foreach (var (token, value) in replacements)
            {
                if (string.CompareOrdinal(template, next, token, 0, token.Length) == 0)
                {
                    html.Append(value);
                    position = next + token.Length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                html.Append("{{");
                position = next + 2;
            }
        }

        return html.ToString();
    }

    public static async Task WriteAsync(BacktestReport report, string path, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Render(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);

    private static string Body(BacktestReport report, string title)
    {
        var html = new StringBuilder();
        html.Append("<header><h1>").Append(Encoder.Encode(title)).Append("</h1><p class=\"muted\">step ")
            .Append(Encoder.Encode(BacktestJson.FormatDuration(report.Step))).Append(" · ")
            .Append(report.Targets.Count.ToString(CultureInfo.InvariantCulture)).Append(" target(s) · ")
            .Append(report.Fires.Count.ToString(CultureInfo.InvariantCulture)).Append(" fire(s) · times in UTC</p></header>\n");

        html.Append("<h2>Fires</h2>\n");
        if (report.Fires.Count == 0)
        {
            html.Append("<p class=\"none\" id=\"no-fires\">No trigger fired in this range.</p>\n");
        }
        else
        {
            html.Append("<table id=\"fires\"><thead><tr><th>At (UTC)</th><th>Target</th><th>Trigger</th><th>Severity</th><th>Action</th><th>Decision</th><th>Why</th><th>Values</th></tr></thead><tbody>\n");
            foreach (var fire in report.Fires)
            {
                html.Append("<tr data-at=\"").Append(Encoder.Encode(Time(fire.At))).Append("\"><td>").Append(Encoder.Encode(Time(fire.At)))
                    .Append("</td><td>").Append(Encoder.Encode(fire.Target))
                    .Append("</td><td>").Append(Encoder.Encode(fire.Trigger))
                    .Append("</td><td>").Append(Encoder.Encode(fire.Severity))
                    .Append("</td><td>").Append(Encoder.Encode(fire.Action))
                    .Append("</td><td>").Append(Encoder.Encode(fire.Decision))
                    .Append("</td><td>").Append(Encoder.Encode(fire.Reason))
                    .Append("</td><td>").Append(Encoder.Encode(Values(fire.Values)))
                    .Append("</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        for (var t = 0; t < report.Targets.Count; t++)
        {
            var target = report.Targets[t];
            html.Append("<h2>Target <code>").Append(Encoder.Encode(target.Id)).Append("</code></h2>\n");
            for (var g = 0; g < target.Triggers.Count; g++)
            {
                AppendTrigger(html, report, target, t, g);
            }

            for (var j = 0; j < target.Judges.Count; j++)
            {
                AppendJudge(html, report, target, t, j);
            }
        }

        html.Append("<footer>Written by <code>rollbackkit backtest</code>. Shaded: the condition held (breach); red marker: the trigger fired; ")
            .Append("dashed red line: the threshold (the right side of the condition). Judge charts: the score of each judgement, ")
            .Append("dashed green and amber lines the pass and marginal scores, shaded the failed judgements. Charts drawn with uPlot (MIT licence, embedded).</footer>\n");
        return html.ToString();
    }

    private static void AppendTrigger(StringBuilder html, BacktestReport report, TargetView target, int targetIndex, int triggerIndex)
    {
        var trigger = target.Triggers[triggerIndex];
        html.Append("<section class=\"trigger\" data-target-index=\"").Append(targetIndex.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-trigger-index=\"").Append(triggerIndex.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-target=\"").Append(Encoder.Encode(target.Id))
            .Append("\" data-trigger=\"").Append(Encoder.Encode(trigger.Name)).Append("\">\n<h3>")
            .Append(Encoder.Encode(trigger.Name)).Append("</h3><p><code>").Append(Encoder.Encode(trigger.Condition)).Append("</code> ")
            .Append("<span class=\"muted\"><span class=\"breach-key\"></span> condition held</span></p>\n")
            .Append("<div class=\"chart\"></div><div class=\"timeline\"></div><p class=\"state-legend\"></p>\n");

        AppendFires(html, report, target.Id, trigger.Name);
    }

    private static void AppendJudge(StringBuilder html, BacktestReport report, TargetView target, int targetIndex, int judgeIndex)
    {
        var judge = target.Judges[judgeIndex];
        html.Append("<section class=\"judge\" data-target-index=\"").Append(targetIndex.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-judge-index=\"").Append(judgeIndex.ToString(CultureInfo.InvariantCulture))
            .Append("\" data-target=\"").Append(Encoder.Encode(target.Id))
            .Append("\" data-trigger=\"").Append(Encoder.Encode(judge.Name)).Append("\">\n<h3>")
            .Append(Encoder.Encode(judge.Name)).Append("</h3><p><code>")
            .Append(Encoder.Encode(Invariant($"judge: {string.Join(", ", judge.Metrics)} over {BacktestJson.FormatDuration(judge.Window)} every {BacktestJson.FormatDuration(judge.Interval)}, pass {judge.PassScore}, marginal {judge.MarginalScore}")))
            .Append("</code> <span class=\"muted\"><span class=\"breach-key\"></span> judgement failed</span></p>\n")
            .Append("<div class=\"chart\"></div><div class=\"timeline\"></div><p class=\"state-legend\"></p>\n");

        AppendFires(html, report, target.Id, judge.Name);
    }

    /// <summary>The fires of one trigger or judge of one target, closing its section: a list, or "Did not fire."</summary>
    private static void AppendFires(StringBuilder html, BacktestReport report, string targetId, string triggerName)
    {
        var any = false;
        foreach (var fire in report.Fires)
        {
            if (!string.Equals(fire.Target, targetId, StringComparison.Ordinal) || !string.Equals(fire.Trigger, triggerName, StringComparison.Ordinal))
            {
                continue;
            }

            html.Append(any ? string.Empty : "<ul class=\"fires\">").Append("<li>fired at ").Append(Encoder.Encode(Time(fire.At))).Append(": <strong>")
                .Append(Encoder.Encode(fire.Decision)).Append("</strong>, ").Append(Encoder.Encode(fire.Reason)).Append(" (").Append(Encoder.Encode(fire.Severity)).Append(", ")
                .Append(Encoder.Encode(fire.Action)).Append(") ").Append(Encoder.Encode(Values(fire.Values))).Append("</li>");
            any = true;
        }

        html.Append(any ? "</ul>\n" : "<p class=\"none\">Did not fire.</p>\n").Append("</section>\n");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Values(IReadOnlyDictionary<string, double> values)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in values.OrderBy(static v => v.Key, StringComparer.Ordinal))
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(name).Append(" = ").Append(Number(value));
        }

        return text.ToString();
    }

    internal static string Number(double value) => double.IsNaN(value) ? "no data" : value.ToString("G6", CultureInfo.InvariantCulture);

    internal static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException("Missing embedded report resource " + name);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
