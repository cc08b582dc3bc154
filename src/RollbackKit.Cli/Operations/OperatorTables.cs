using System.Globalization;
using RollbackKit.Journal;
using Spectre.Console;

namespace RollbackKit.Cli.Operations;

/// <summary>The tables <c>history</c> and <c>stats</c> print.</summary>
internal static class OperatorTables
{
    /// <summary>One row per finished rollback, oldest first.</summary>
    public static void WriteHistory(IAnsiConsole console, IReadOnlyList<RollbackAuditRecord> records)
    {
        if (records.Count == 0)
        {
            console.MarkupLine("No rollbacks in this range.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Rollbacks")
            .AddColumns("Requested (UTC)", "Target", "Rollback", "State", "Cause", "Requested by", "Reason", "Playbook", "Budget");
        foreach (var record in records)
        {
            table.AddRow(
                new Text(Time(record.Trigger.RequestedAt)),
                new Text(record.TargetId),
                new Text(record.RollbackId),
                StateText(record.State.ToString()),
                new Text(Cause(record)),
                new Text(record.RequestedBy ?? "-"),
                new Text(record.Trigger.Reason),
                new Text(record.Execution.StartedAt is null ? "-" : Duration(record.Execution.Duration)),
                record.Execution.StartedAt is null || record.Execution.Budget <= TimeSpan.Zero
                    ? new Text("-")
                    : record.Execution.WithinBudget
                        ? new Markup($"[green]within {Markup.Escape(Duration(record.Execution.Budget))}[/]")
                        : new Markup($"[red]over {Markup.Escape(Duration(record.Execution.Budget))}[/]"));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"{records.Count} rollback(s).");
    }

    /// <summary>The statistics, then the causes.</summary>
    public static void WriteStatistics(IAnsiConsole console, RollbackStatistics statistics)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Rollback statistics").AddColumns("Measure", "Value");
        table.AddRow("Rollbacks", Count(statistics.Total));
        table.AddRow("Succeeded", Count(statistics.Succeeded));
        table.AddRow("Failed", Count(statistics.Failed));
        table.AddRow("Rejected", Count(statistics.Rejected));
        table.AddRow("Success rate", statistics.SuccessRate is { } rate ? rate.ToString("P1", CultureInfo.InvariantCulture) : "-");
        table.AddRow("Manual", Count(statistics.Manual));
        table.AddRow("Automatic", Count(statistics.Automatic));
        table.AddRow("Time to detect (mean)", Optional(statistics.MeanTimeToDetect));
        table.AddRow("Time to detect (p95)", Optional(statistics.P95TimeToDetect));
        table.AddRow("Time to roll back (mean)", Optional(statistics.MeanTimeToRollback));
        table.AddRow("Time to roll back (p95)", Optional(statistics.P95TimeToRollback));
        console.Write(table);
        if (statistics.Causes.Count == 0)
        {
            return;
        }

        var causes = new Table().Border(TableBorder.Rounded).Title("Causes").AddColumns("Cause", "Rollbacks");
        foreach (var (cause, count) in statistics.Causes.OrderByDescending(static c => c.Value).ThenBy(static c => c.Key, StringComparer.Ordinal))
        {
            causes.AddRow(new Text(cause), new Text(Count(count)));
        }

        console.Write(causes);
    }

    /// <summary>The trigger name for metric triggers, otherwise the kind of request (Manual, Incident, ...).</summary>
    public static string Cause(RollbackAuditRecord record) =>
        record.Trigger.Type == RollbackTriggerType.MetricTrigger && record.Trigger.TriggerName is { } name ? name : record.Trigger.Type.ToString();

    /// <summary>A state coloured by outcome.</summary>
    public static Markup StateText(string state) => state switch
    {
        nameof(RollbackState.RolledBack) => new Markup($"[green]{state}[/]"),
        nameof(RollbackState.RollbackFailed) or nameof(RollbackState.NeedsAttention) => new Markup($"[red]{Markup.Escape(state)}[/]"),
        nameof(RollbackState.Rejected) => new Markup($"[yellow]{state}[/]"),
        _ => new Markup(Markup.Escape(state)),
    };

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A duration as people read it: 850ms, 42s, 3m05s, 1h02m, 2d03h.</summary>
    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Duration(-value);
        }

        return value switch
        {
            { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0}ms"),
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#}s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.Minutes}m{value.Seconds:00}s"),
            { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.Hours}h{value.Minutes:00}m"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalDays}d{value.Hours:00}h"),
        };
    }

    private static string Optional(TimeSpan? value) => value is { } v ? Duration(v) : "-";

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
