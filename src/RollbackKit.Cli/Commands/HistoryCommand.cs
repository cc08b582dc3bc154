using System.CommandLine;
using RollbackKit.Cli.Operations;
using RollbackKit.Journal;
using RollbackKit.Operations;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit history</c>: finished rollbacks (oldest first) from a server (<c>GET {server}/rollbacks</c>) or, offline, from
/// a journal file read read-only.
/// </summary>
internal sealed class HistoryCommand : ICliCommand
{
    private readonly Option<string?> _server = OperationOptions.Server();
    private readonly Option<FileInfo?> _journal = OperationOptions.Journal();
    private readonly Option<Since?> _since = Since.CreateOption("Only rollbacks requested since then. Default: all.");
    private readonly Option<string?> _target = new("--target", "-t") { Description = "Only this target id." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the audit records as JSON (the API's format) instead of a table." };

    public Command Create()
    {
        var command = new Command(
            "history",
            "Finished rollbacks with why, who, state and time against the playbook's budget, from a server or a journal file.\n" +
            ExitCodes.OperationsHelpText);
        command.Options.Add(_server);
        command.Options.Add(_journal);
        command.Options.Add(_since);
        command.Options.Add(_target);
        command.Options.Add(_json);
        command.SetAction(RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var since = parseResult.GetValue(_since);
        var target = parseResult.GetValue(_target);
        var records = await HistoryQuery.RunAsync(
            parseResult, _server, _journal, target, since,
            static (history, target, since, ct) => history.GetRollbacksAsync(target, since, cancellationToken: ct),
            static (server, query, ct) => server.GetAsync("rollbacks" + query, OperatorJson.TypeInfo<IReadOnlyList<RollbackAuditRecord>>(), ct),
            cancellationToken).ConfigureAwait(false);
        var output = OperatorConsole.Output(parseResult);
        if (parseResult.GetValue(_json))
        {
            await OperatorConsole.WriteJsonAsync(output, records, OperatorJson.TypeInfo<IReadOnlyList<RollbackAuditRecord>>()).ConfigureAwait(false);
        }
        else
        {
            OperatorTables.WriteHistory(OperatorConsole.Create(output), records);
        }

        return ExitCodes.Success;
    }
}
