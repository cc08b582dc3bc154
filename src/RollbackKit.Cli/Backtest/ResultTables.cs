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

    private static Text Count(int value) => new(value.ToString(CultureInfo.InvariantCulture));
}
