using System.Globalization;
using RollbackKit.Operations;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RollbackKit.Cli.Operations;

/// <summary>
/// What <c>rollbackkit status</c> shows: automatic rollback on or off (and who changed it, why), each target with its triggers
/// as the monitor saw them on its last tick, and each active rollback with its phase, cause, a progress bar of the playbook's
/// steps and one of the time elapsed against the playbook's budget.
/// </summary>
internal static class StatusView
{
    private const int BarWidth = 24;

    /// <summary>The whole status as one renderable (so that a live display can replace it).</summary>
    public static IRenderable Render(OperatorStatus status)
    {
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]RollbackKit status[/] at {OperatorTables.Time(status.Time)} UTC"),
            AutoRollback(status.AutoRollback),
            Targets(status),
        };
        if (status.Active.Count == 0)
        {
            rows.Add(new Markup("[green]No active rollback.[/]"));
        }
        else
        {
            foreach (var run in status.Active)
            {
                rows.Add(Active(run));
            }
        }

        return new Rows(rows);
    }

    /// <summary>Writes the automatic-rollback state (after a kill-switch change).</summary>
    public static void WriteAutoRollback(IAnsiConsole console, AutoRollbackState state) => console.Write(AutoRollback(state));

    private static Markup AutoRollback(AutoRollbackState state)
    {
        var text = state.Enabled ? "Automatic rollback: [bold green]ON[/]" : "Automatic rollback: [bold red]OFF[/] (kill switch on)";
        if (state.ChangedBy is not null || state.ChangedAt is not null)
        {
            text += Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $" — changed by {state.ChangedBy ?? "?"}{(state.ChangedAt is { } at ? " at " + OperatorTables.Time(at) + " UTC" : string.Empty)}{(string.IsNullOrWhiteSpace(state.Reason) ? string.Empty : ": " + state.Reason)}"));
        }

        foreach (var (target, enabled) in state.TargetOverrides.OrderBy(static o => o.Key, StringComparer.Ordinal))
        {
            text += "\n  " + Markup.Escape(target) + ": " + (enabled ? "[green]on[/]" : "[red]off[/]");
        }

        return new Markup(text + "\n");
    }

    private static IRenderable Targets(OperatorStatus status)
    {
        if (status.Targets.Count == 0)
        {
            return new Markup("No targets.");
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Targets")
            .AddColumns("Target", "Auto rollback", "Point of no return", "Triggers (last tick)");
        foreach (var target in status.Targets)
        {
            var triggers = target.Triggers.Count == 0
                ? "-"
                : string.Join("\n", target.Triggers.Select(static t => Markup.Escape(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{t.Name}: {t.Outcome}{(t.MeasuredValue is { } v ? $" {Number(v)}" : string.Empty)}{(t.Threshold is { } th ? $" (threshold {Number(th)})" : string.Empty)}"))
                    + (t.Fired ? " [red]fired[/]" : string.Empty)));
            table.AddRow(
                new Text(target.Id),
                new Markup(target.AutoRollbackEnabled ? "[green]on[/]" : "[red]off[/]"),
                new Markup(target.PastPointOfNoReturn ? "[red]passed[/]" : "no"),
                new Markup(triggers));
        }

        return table;
    }

    private static Table Active(ActiveRollbackView run)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders()
            .Title(Markup.Escape($"Rollback {run.RollbackId} of {run.TargetId}"))
            .AddColumn("What").AddColumn("Value");
        table.AddRow(new Text("Phase"), OperatorTables.StateText(run.State));
        var cause = run.TriggerName is null
            ? run.Reason
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{run.TriggerName}{(run.MeasuredValue is { } v ? $": measured {Number(v)}" : string.Empty)}{(run.Threshold is { } t ? $" vs threshold {Number(t)}" : string.Empty)} — {run.Reason}");
        table.AddRow(new Text("Cause"), new Text(cause));
        table.AddRow(new Text("Requested by"), new Text(run.RequestedBy ?? "-"));
        table.AddRow(new Text("Started"), new Text(OperatorTables.Time(run.StartedAt) + " UTC"));
        table.AddRow(new Text("Steps"), StepsBar(run));
        table.AddRow(new Text("Elapsed"), TimeBar(run.Elapsed, run.Budget));
        table.AddRow(
            new Text("Verification"),
            new Text(run.VerificationChecksTotal == 0
                ? "-"
                : string.Create(CultureInfo.InvariantCulture, $"{run.VerificationChecksPassed}/{run.VerificationChecksTotal} checks passed")));
        if (run.ApprovalId is { } approval)
        {
            table.AddRow(
                new Text("Approval"),
                new Markup($"[yellow]waiting[/] ({Markup.Escape(approval)}): rollbackkit approve {Markup.Escape(run.RollbackId)} | rollbackkit hold {Markup.Escape(run.RollbackId)}"));
        }

        return table;
    }

    /// <summary>Steps completed out of the playbook's steps, with the current step.</summary>
    private static Markup StepsBar(ActiveRollbackView run)
    {
        var fraction = run.StepCount <= 0 ? 0 : (double)run.StepsCompleted / run.StepCount;
        var text = string.Create(CultureInfo.InvariantCulture, $" {run.StepsCompleted}/{run.StepCount} steps");
        if (run.CurrentStep is { } step)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" — step {run.StepIndex + 1}: {step}");
        }
        else if (run.StepIndex < 0)
        {
            text += " — playbook not started";
        }

        return new Markup(Bar(fraction, "green") + Markup.Escape(text));
    }

    /// <summary>Time elapsed against the budget; red past it.</summary>
    private static Markup TimeBar(TimeSpan elapsed, TimeSpan budget)
    {
        if (budget <= TimeSpan.Zero)
        {
            return new Markup(Markup.Escape(OperatorTables.Duration(elapsed) + " (no budget)"));
        }

        var over = elapsed > budget;
        var fraction = elapsed / budget;
        return new Markup(Bar(fraction, over ? "red" : "blue") + Markup.Escape(
            $" {OperatorTables.Duration(elapsed)} of {OperatorTables.Duration(budget)} budget") + (over ? " [red]over budget[/]" : string.Empty));
    }

    /// <summary>A text progress bar <see cref="BarWidth"/> cells wide (works in any terminal and in a pipe).</summary>
    internal static string Bar(double fraction, string colour)
    {
        var filled = (int)Math.Round(Math.Clamp(double.IsNaN(fraction) ? 0 : fraction, 0, 1) * BarWidth);
        return $"[{colour}]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/]";
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
