using System.CommandLine;
using RollbackKit.Cli.Operations;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit hold &lt;run&gt;</c>: stops a rollback waiting for approval (<c>POST {server}/rollbacks/{id}/hold</c>): its approval
/// is decided Rejected ("held by &lt;who&gt;: &lt;comment&gt;").
/// </summary>
internal sealed class HoldCommand : ICliCommand
{
    private readonly Argument<string> _run = new("run") { Description = "The rollback id waiting for approval (see 'rollbackkit status')." };
    private readonly Option<string?> _comment = new("--comment", "-m") { Description = "Why it is held; recorded with the decision." };
    private readonly Option<string?> _server = OperationOptions.Server();

    public Command Create()
    {
        var command = new Command(
            "hold",
            "Hold a rollback waiting for approval: the approval is rejected and the rollback does not proceed.\n" + ExitCodes.OperationsHelpText);
        command.Arguments.Add(_run);
        command.Options.Add(_comment);
        command.Options.Add(_server);
        command.SetAction((parseResult, cancellationToken) =>
            ApprovalDecisions.SendAsync(parseResult, _server, parseResult.GetRequiredValue(_run), "hold", parseResult.GetValue(_comment), cancellationToken));
        return command;
    }
}
