using System.CommandLine;
using RollbackKit.Cli.Operations;
using RollbackKit.Journal;
using RollbackKit.Operations;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit stats</c>: success rate, causes, time to detect and to roll back (mean and p95), manual against automatic,
/// from a server (<c>GET {server}/stats</c>) or, offline, from a journal file read read-only.
/// </summary>
internal sealed class StatsCommand : ICliCommand
{
    private readonly Option<string?> _server = OperationOptions.Server();
    private readonly Option<FileInfo?> _journal = OperationOptions.Journal();
    private readonly Option<Since?> _since = Since.CreateOption("Only rollbacks requested since then. Default: all.");
    private readonly Option<string?> _target = new("--target", "-t") { Description = "Only this target id." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the statistics as JSON (the API's format) instead of a table." };

    public Command Create()
    {
        var command = new Command(
            "stats",
            "Rollback statistics: success rate, causes, time to detect and to roll back (mean, p95), manual vs automatic.\n" +
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
        var statistics = await HistoryQuery.RunAsync(
            parseResult, _server, _journal, parseResult.GetValue(_target), parseResult.GetValue(_since),
            static (history, target, since, ct) => history.GetStatisticsAsync(target, since, cancellationToken: ct),
            static (server, query, ct) => server.GetAsync("stats" + query, OperatorJson.TypeInfo<RollbackStatistics>(), ct),
            cancellationToken).ConfigureAwait(false);
        var output = OperatorConsole.Output(parseResult);
        if (parseResult.GetValue(_json))
        {
            await OperatorConsole.WriteJsonAsync(output, statistics, OperatorJson.TypeInfo<RollbackStatistics>()).ConfigureAwait(false);
        }
        else
        {
            OperatorTables.WriteStatistics(OperatorConsole.Create(output), statistics);
        }

        return ExitCodes.Success;
    }
}
