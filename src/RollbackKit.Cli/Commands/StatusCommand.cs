using System.CommandLine;
using RollbackKit.Cli.Operations;
using RollbackKit.Operations;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit status [--watch]</c>: automatic rollback on/off, targets with their triggers, and each active rollback with its
/// progress (<c>GET {server}/status</c>); <c>--watch</c> redraws every 2 s until Ctrl+C.
/// </summary>
internal sealed class StatusCommand : ICliCommand
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    private readonly Option<string?> _server = OperationOptions.Server();
    private readonly Option<bool> _watch = new("--watch", "-w") { Description = "Redraw every 2 s until Ctrl+C." };
    private readonly Option<int?> _count = new("--count")
    {
        Description = "With --watch: stop after this many refreshes (for scripts). Default: until Ctrl+C.",
        Validators = { static result => { if (result.GetValueOrDefault<int?>() is < 1) { result.AddError("--count: must be at least 1."); } } },
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the status as JSON (the API's format) instead of tables (not with --watch)." };

    public Command Create()
    {
        var command = new Command(
            "status",
            "Automatic rollback on/off, each target's triggers, and every active rollback: phase, cause, steps and time against " +
            "the budget as progress bars, verification checks.\n" + ExitCodes.OperationsHelpText);
        command.Options.Add(_server);
        command.Options.Add(_watch);
        command.Options.Add(_count);
        command.Options.Add(_json);
        command.SetAction(RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var watch = parseResult.GetValue(_watch);
        var json = parseResult.GetValue(_json);
        if (watch && json)
        {
            throw new CliException(ExitCodes.InvalidInput, "--json cannot be used with --watch.");
        }

        if (!watch && parseResult.GetValue(_count) is not null)
        {
            throw new CliException(ExitCodes.InvalidInput, "--count applies to --watch only.");
        }

        using var server = OperationOptions.RequireServer(parseResult, _server);
        var output = OperatorConsole.Output(parseResult);
        if (!watch)
        {
            var status = await server.GetAsync("status", OperatorJson.TypeInfo<OperatorStatus>(), cancellationToken).ConfigureAwait(false);
            if (json)
            {
                await OperatorConsole.WriteJsonAsync(output, status, OperatorJson.TypeInfo<OperatorStatus>()).ConfigureAwait(false);
            }
            else
            {
                OperatorConsole.Create(output).Write(StatusView.Render(status));
            }

            return ExitCodes.Success;
        }

        return await WatchAsync(server, OperatorConsole.Create(output), parseResult.GetValue(_count), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Redraws the status every <see cref="WatchInterval"/> until cancelled (Ctrl+C) or <paramref name="count"/> refreshes: in place
    /// (Spectre live display) on a terminal, one frame after another when the output is a pipe or a file.
    /// </summary>
    private static async Task<int> WatchAsync(OperatorServer server, IAnsiConsole console, int? count, CancellationToken cancellationToken)
    {
        try
        {
            var first = await server.GetAsync("status", OperatorJson.TypeInfo<OperatorStatus>(), cancellationToken).ConfigureAwait(false);
            if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
            {
                console.Write(StatusView.Render(first));
                for (var frame = 1; count is null || frame < count; frame++)
                {
                    await Task.Delay(WatchInterval, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                    var status = await server.GetAsync("status", OperatorJson.TypeInfo<OperatorStatus>(), cancellationToken).ConfigureAwait(false);
                    console.WriteLine();
                    console.Write(StatusView.Render(status));
                }

                return ExitCodes.Success;
            }

            await console.Live(StatusView.Render(first)).AutoClear(false).StartAsync(async context =>
            {
                for (var frame = 1; count is null || frame < count; frame++)
                {
                    await Task.Delay(WatchInterval, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                    var status = await server.GetAsync("status", OperatorJson.TypeInfo<OperatorStatus>(), cancellationToken).ConfigureAwait(false);
                    context.UpdateTarget(StatusView.Render(status));
                    context.Refresh();
                }
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends a watch: that is how it is meant to stop.
            return ExitCodes.Success;
        }
    }
}
