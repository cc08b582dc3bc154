using System.CommandLine;
using RollbackKit.Cli.Operations;
using RollbackKit.Operations;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit reset &lt;target&gt; --reason …</c>: forgets the target's automatic rollback attempts and cooldown after a fix was
/// deployed (<c>POST {server}/reset-attempts</c>). Who, why and when are journaled by the server.
/// </summary>
internal sealed class ResetCommand : ICliCommand
{
    private readonly Argument<string> _target = new("target") { Description = "The target id (or a coordinated group's id) whose attempts and cooldown are reset." };
    private readonly Option<string> _reason = new("--reason", "-r") { Description = "Why, e.g. the fix deployed (required; journaled with who and when).", Required = true };
    private readonly Option<string?> _server = OperationOptions.Server();

    public Command Create()
    {
        var command = new Command(
            "reset",
            "Forget a target's automatic rollback attempts and cooldown after a fix was deployed (count from zero), with a reason.\n" +
            ExitCodes.OperationsHelpText);
        command.Arguments.Add(_target);
        command.Options.Add(_reason);
        command.Options.Add(_server);
        command.SetAction(RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var target = parseResult.GetRequiredValue(_target).Trim();
        if (target.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "target: must not be empty: name the target whose attempts and cooldown are reset.");
        }

        var reason = parseResult.GetRequiredValue(_reason).Trim();
        if (reason.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "--reason: must not be empty: say why the attempts and cooldown are reset.");
        }

        using var server = OperationOptions.RequireServer(parseResult, _server);
        var reset = await server.SendAsync(
            HttpMethod.Post,
            "reset-attempts",
            new AttemptsResetRequest { Target = target, Reason = reason },
            OperatorJson.TypeInfo<AttemptsResetRequest>(),
            OperatorJson.TypeInfo<AttemptsResetResponse>(),
            cancellationToken).ConfigureAwait(false);

        var console = OperatorConsole.Create(OperatorConsole.Output(parseResult));
        var scope = string.Equals(reset.Target, target, StringComparison.Ordinal) ? target : $"{target} (group {reset.Target})";
        console.MarkupLineInterpolated($"Attempts and cooldown of [bold]{scope}[/] reset by {reset.ResetBy} at {reset.At:u}: {reset.Reason}");
        return ExitCodes.Success;
    }
}
