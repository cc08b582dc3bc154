using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace RollbackKit.Cli.Planning;

/// <summary>Runs <c>rollbackkit plan check</c>.</summary>
internal static class PlanCheckAction
{
    public static async Task<int> RunAsync(FileInfo config, string section, InvocationConfiguration invocation, CancellationToken cancellationToken)
    {
        using var host = ApplicationHost.Build(config, section, JournalUse.Scratch);
        var invalid = StartupChecks.Run(host).Where(static p => !PlanChecker.IsUnknownStepType(p)).ToArray();
        if (invalid.Length > 0)
        {
            await invocation.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"configuration is invalid: {invalid.Length} problem(s)")).ConfigureAwait(false);
            foreach (var problem in invalid)
            {
                await invocation.Error.WriteLineAsync(problem.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.InvalidInput;
        }

        var rows = new PlanChecker(host).Check();
        var console = PlanConsole.Create(invocation.Output);
        var table = new Table().Border(TableBorder.Rounded).Title("Rollback plan")
            .AddColumn("Target").AddColumn("Check").AddColumn("Result").AddColumn("Detail");
        foreach (var row in rows)
        {
            table.AddRow(
                new Text(row.Target),
                new Text(row.Check),
                new Markup(row.Passed ? "[green]pass[/]" : "[red]FAIL[/]"),
                new Text(row.Detail));
        }

        console.Write(table);
        var failed = rows.Count(static r => !r.Passed);
        console.WriteLine(failed == 0
            ? string.Create(CultureInfo.InvariantCulture, $"plan check passed: {rows.Count} checks")
            : string.Create(CultureInfo.InvariantCulture, $"plan check failed: {failed} of {rows.Count} checks"));
        return failed == 0 ? ExitCodes.Success : ExitCodes.ProblemsFound;
    }
}
