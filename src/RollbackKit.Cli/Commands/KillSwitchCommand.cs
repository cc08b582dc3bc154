using System.CommandLine;
using System.CommandLine.Parsing;
using RollbackKit.Cli.Operations;
using RollbackKit.Operations;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit kill-switch on|off --reason …</c>: "on" turns automatic rollback OFF (globally or for one target), "off" turns
/// it back on (<c>PUT {server}/auto-rollback</c>). Who, why and when are journaled by the server.
/// </summary>
internal sealed class KillSwitchCommand : ICliCommand
{
    private readonly Argument<string> _state = new("on|off")
    {
        Description = "on: automatic rollback is switched OFF (triggers only alert); off: automatic rollback is back ON.",
        CustomParser = ParseState,
    };

    private readonly Option<string> _reason = new("--reason", "-r") { Description = "Why (required; journaled with who and when).", Required = true };
    private readonly Option<string?> _target = new("--target", "-t") { Description = "Only this target. Default: the global switch." };
    private readonly Option<string?> _server = OperationOptions.Server();

    public Command Create()
    {
        var command = new Command(
            "kill-switch",
            "Turn automatic rollback off (kill-switch on) or back on (kill-switch off), globally or for one target, with a reason.\n" +
            ExitCodes.OperationsHelpText);
        command.Arguments.Add(_state);
        command.Options.Add(_reason);
        command.Options.Add(_target);
        command.Options.Add(_server);
        command.SetAction(RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var killSwitchOn = parseResult.GetRequiredValue(_state) == "on";
        var reason = parseResult.GetRequiredValue(_reason).Trim();
        if (reason.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "--reason: must not be empty: say why automatic rollback is switched.");
        }

        var target = parseResult.GetValue(_target) is { } t && !string.IsNullOrWhiteSpace(t) ? t.Trim() : null;
        using var server = OperationOptions.RequireServer(parseResult, _server);
        var state = await server.SendAsync(
            HttpMethod.Put,
            "auto-rollback",
            new AutoRollbackChange { Enabled = !killSwitchOn, Reason = reason, Target = target },
            OperatorJson.TypeInfo<AutoRollbackChange>(),
            OperatorJson.TypeInfo<AutoRollbackState>(),
            cancellationToken).ConfigureAwait(false);

        var console = OperatorConsole.Create(OperatorConsole.Output(parseResult));
        var scope = target ?? "every target";
        if (killSwitchOn)
        {
            console.MarkupLineInterpolated($"Kill switch ON: automatic rollback is [bold red]off[/] for {scope}.");
        }
        else
        {
            console.MarkupLineInterpolated($"Kill switch OFF: automatic rollback is [bold green]on[/] for {scope}.");
        }

        StatusView.WriteAutoRollback(console, state);
        return ExitCodes.Success;
    }

    private static string ParseState(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (string.Equals(text, "on", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            return text.ToLowerInvariant();
        }

        result.AddError($"kill-switch: '{text}' is neither 'on' (automatic rollback off) nor 'off' (automatic rollback on).");
        return string.Empty;
    }
}
