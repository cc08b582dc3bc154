using System.Globalization;
using RollbackKit.Cli.Report;
using Spectre.Console;

namespace RollbackKit.Cli.Backtest;

/// <summary>The tables <c>rollbackkit backtest</c> prints: per target × trigger, then every fire.</summary>
internal static class ResultTables
{
    public static void Write(IAnsiConsole console, BacktestReport report)
    {
        console.MarkupLineInterpolated(
            $"[bold]Backtest[/] {HtmlReportWriter.Time(report.From)} → {HtmlReportWriter.Time(report.To)}, step {BacktestJson.FormatDuration(report.Step)}");

        var summary = new Table().Border(TableBorder.Rounded).Title("Triggers")
            .AddColumns("Target", "Trigger", "Steps", "Breaching", "No data", "Errors", "Fires");
        foreach (var target in report.Targets)
        {
            foreach (var trigger in target.Triggers)
            {
                int breaching = 0, noData = 0, errors = 0;
                foreach (var point in trigger.Points)
                {
                    breaching += point.Failed ? 1 : 0;
                    noData += point.State == PointStates.NoData ? 1 : 0;
                    errors += point.State == PointStates.Error ? 1 : 0;
                }

                var fires = report.Fires.Count(f => f.Target == target.Id && f.Trigger == trigger.Name);
                summary.AddRow(
                    new Text(target.Id),
                    new Text(trigger.Name),
                    Count(trigger.Points.Count),
                    Count(breaching),
                    Count(noData),
                    Count(errors),
                    fires > 0 ? new Markup($"[bold red]{fires}[/]") : Count(0));
            }
        }

        console.Write(summary);
        WriteJudges(console, report);
        if (report.Fires.Count == 0)
        {
            console.MarkupLine("[green]No trigger fired.[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Fires")
            .AddColumns("At (UTC)", "Target", "Trigger", "Severity", "Action", "Decision", "Why", "Values");
        foreach (var fire in report.Fires)
        {
            var values = string.Join(", ", fire.Values.OrderBy(static v => v.Key, StringComparer.Ordinal)
                .Select(static v => v.Key + " = " + HtmlReportWriter.Number(v.Value)));
            table.AddRow(
                new Text(HtmlReportWriter.Time(fire.At)),
                new Text(fire.Target),
                new Text(fire.Trigger),
                new Text(fire.Severity),
                new Text(fire.Action),
                new Text(fire.Decision),
                new Text(fire.Reason),
                new Text(values));
        }

        console.Write(table);
    }

    /// <summary>Per target × judge trigger: judgements by classification, errors and fires; nothing when no judge is configured.</summary>
    private static void WriteJudges(IAnsiConsole console, BacktestReport report)
    {
        if (!report.Targets.Any(static t => t.Judges.Count > 0))
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Judges")
            .AddColumns("Target", "Judge", "Judgements", "Pass", "Marginal", "Fail", "No data", "Errors", "Lowest score", "Fires");
        foreach (var target in report.Targets)
        {
            foreach (var judge in target.Judges)
            {
                int pass = 0, marginal = 0, fail = 0, noData = 0, errors = 0;
                var lowest = double.NaN;
                foreach (var point in judge.Points)
                {
                    switch (point.State)
                    {
                        case JudgeStates.Pass: pass++; break;
                        case JudgeStates.Marginal: marginal++; break;
                        case JudgeStates.Fail: fail++; break;
                        case JudgeStates.Error: errors++; break;
                        case JudgeStates.Disabled: break; // a disabled judge judged nothing
                        default: noData++; break;
                    }

                    if (!double.IsNaN(point.Score) && (double.IsNaN(lowest) || point.Score < lowest))
                    {
                        lowest = point.Score;
                    }
                }

                var fires = report.Fires.Count(f => f.Target == target.Id && f.Trigger == judge.Name);
                table.AddRow(
                    new Text(target.Id),
                    new Text(judge.Name),
                    Count(judge.Points.Count),
                    Count(pass),
                    Count(marginal),
                    Count(fail),
                    Count(noData),
                    Count(errors),
                    new Text(HtmlReportWriter.Number(lowest)),
                    fires > 0 ? new Markup($"[bold red]{fires}[/]") : Count(0));
            }
        }

        console.Write(table);
    }

    private static Text Count(int value) => new(value.ToString(CultureInfo.InvariantCulture));
}
