using System.CommandLine;
using RollbackKit.Cli.Operations;

namespace RollbackKit.Cli.Commands;

/// <summary><c>rollbackkit approve &lt;run&gt;</c>: approves a rollback waiting for approval (<c>POST {server}/rollbacks/{id}/approve</c>).</summary>
internal sealed class ApproveCommand : ICliCommand
{
    private readonly Argument<string> _run = new("run") { Description = "The rollback id waiting for approval (see 'rollbackkit status')." };
    private readonly Option<string?> _comment = new("--comment", "-m") { Description = "A comment recorded with the decision." };
    private readonly Option<string?> _server = OperationOptions.Server();

    public Command Create()
    {
        var command = new Command("approve", "Approve a rollback waiting for approval: it proceeds.\n" + ExitCodes.OperationsHelpText);
        command.Arguments.Add(_run);
        command.Options.Add(_comment);
        command.Options.Add(_server);
        command.SetAction((parseResult, cancellationToken) =>
            ApprovalDecisions.SendAsync(parseResult, _server, parseResult.GetRequiredValue(_run), "approve", parseResult.GetValue(_comment), cancellationToken));
        return command;
    }
}
