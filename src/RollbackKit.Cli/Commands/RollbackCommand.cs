using System.CommandLine;
using RollbackKit.Cli.Operations;
using RollbackKit.Operations;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary><c>rollbackkit rollback &lt;target&gt; --reason …</c>: an emergency rollback, through <c>POST {server}/rollbacks</c>.</summary>
internal sealed class RollbackCommand : ICliCommand
{
    private readonly Argument<string> _target = new("target") { Description = "The target id to roll back (as configured in RollbackKit:Targets)." };
    private readonly Option<string> _reason = new("--reason", "-r") { Description = "Why (required; recorded in the journal and the audit record).", Required = true };
    private readonly Option<string?> _key = new("--idempotency-key")
    {
        Description = "A key of your choosing: repeating the command with the same key returns the run the first one started instead of starting another.",
    };

    private readonly Option<bool> _force = new("--force") { Description = "Roll back even within the cooldown after the target's last rollback." };
    private readonly Option<string?> _server = OperationOptions.Server();

    public Command Create()
    {
        var command = new Command(
            "rollback",
            "Roll a target back now, with a reason. Prints the rollback id (or the run it joined).\n" + ExitCodes.OperationsHelpText);
        command.Arguments.Add(_target);
        command.Options.Add(_reason);
        command.Options.Add(_key);
        command.Options.Add(_force);
        command.Options.Add(_server);
        command.SetAction(RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var target = parseResult.GetRequiredValue(_target).Trim();
        var reason = parseResult.GetRequiredValue(_reason).Trim();
        if (target.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "target: must not be empty.");
        }

        if (reason.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "--reason: must not be empty: say why the target is rolled back.");
        }

        var key = parseResult.GetValue(_key);
        using var server = OperationOptions.RequireServer(parseResult, _server);
        var request = new ManualRollbackRequest
        {
            Target = target,
            Reason = reason,
            IdempotencyKey = string.IsNullOrWhiteSpace(key) ? null : key.Trim(),
            Force = parseResult.GetValue(_force),
        };
        var response = await server.SendAsync(
            HttpMethod.Post, "rollbacks", request, OperatorJson.TypeInfo<ManualRollbackRequest>(), OperatorJson.TypeInfo<ManualRollbackResponse>(),
            cancellationToken, request.IdempotencyKey is { } k ? new Dictionary<string, string> { ["Idempotency-Key"] = k } : null).ConfigureAwait(false);

        var console = OperatorConsole.Create(OperatorConsole.Output(parseResult));
        if (response.Joined)
        {
            console.MarkupLineInterpolated($"Joined rollback [bold]{response.RollbackId}[/] of {target} (state {response.State}).");
        }
        else
        {
            console.MarkupLineInterpolated($"Rollback [bold]{response.RollbackId}[/] of {target} started (state {response.State}).");
        }

        console.WriteLine("Follow it with: rollbackkit status --watch");
        return ExitCodes.Success;
    }
}
