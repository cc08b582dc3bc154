using System.CommandLine;
using RollbackKit.Cli.Commands;

namespace RollbackKit.Cli;

/// <summary>
/// The <c>rollbackkit</c> command tree. Each command is one class in <c>Commands/</c> implementing
/// <see cref="ICliCommand"/>; add a command by adding its class to <see cref="Commands"/>.
/// </summary>
internal static class CliApplication
{
    /// <summary>The commands, in the order <c>--help</c> lists them.</summary>
    private static ICliCommand[] Commands =>
    [
        new BacktestCommand(),
        new RollbackCommand(),
        new ApproveCommand(),
        new HoldCommand(),
        new KillSwitchCommand(),
        new ResetCommand(),
        new StatusCommand(),
        new HistoryCommand(),
        new StatsCommand(),

        new ValidateCommand(),
        new PlanCheckCommand(),
        new DrillCommand(),
    ];

    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand(
            "rollbackkit: replay a RollbackKit configuration over Prometheus history and see what it would have done.\n" +
            ExitCodes.HelpText);
        foreach (var command in Commands)
        {
            root.Subcommands.Add(command.Create());
        }

        return root;
    }

    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parseResult = CreateRootCommand().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync("error: " + parseError.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'rollbackkit --help' for the options.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCodes.Unexpected;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await error.WriteLineAsync("error: unexpected failure: " + e).ConfigureAwait(false);
            return ExitCodes.Unexpected;
        }
    }
}
