using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using RollbackKit.Cli.Operations;
using RollbackKit.Journal;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// A read-only query over finished rollbacks (<c>history</c>, <c>stats</c>): the same options (<c>--server</c>,
/// <c>--journal</c>, <c>--since</c>, <c>--target</c>, <c>--json</c>), answered by a server route or, offline, by the core's
/// <see cref="IRollbackHistory"/> over a journal file read read-only; printed as a table or as the API's JSON.
/// </summary>
/// <typeparam name="T">What the query answers.</typeparam>
internal abstract class JournalQueryCommand<T> : ICliCommand
{
    private readonly Option<string?> _server = OperationOptions.Server();
    private readonly Option<FileInfo?> _journal = OperationOptions.Journal();
    private readonly Option<Since?> _since = Since.CreateOption("Only rollbacks requested since then. Default: all.");
    private readonly Option<string?> _target = new("--target", "-t") { Description = "Only this target id." };
    private readonly Option<bool> _json;

    protected JournalQueryCommand(string jsonDescription) =>
        _json = new("--json") { Description = jsonDescription };

    /// <summary>The command's name.</summary>
    protected abstract string Name { get; }

    /// <summary>The command's description (the operator exit codes are appended).</summary>
    protected abstract string Description { get; }

    /// <summary>The server route under the API prefix, without the query string.</summary>
    protected abstract string Route { get; }

    /// <summary>How the answer is serialized, on the wire and for <c>--json</c>.</summary>
    protected abstract JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>Answers the query offline from the journal's history.</summary>
    protected abstract ValueTask<T> QueryAsync(IRollbackHistory history, string? target, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Prints the answer as a table.</summary>
    protected abstract void WriteTable(IAnsiConsole console, T answer);

    public Command Create()
    {
        var command = new Command(Name, Description + "\n" + ExitCodes.OperationsHelpText);
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
        var typeInfo = TypeInfo;
        var route = Route;
        var answer = await HistoryQuery.RunAsync(
            parseResult, _server, _journal, parseResult.GetValue(_target), parseResult.GetValue(_since),
            QueryAsync,
            (server, query, ct) => server.GetAsync(route + query, typeInfo, ct),
            cancellationToken).ConfigureAwait(false);
        var output = OperatorConsole.Output(parseResult);
        if (parseResult.GetValue(_json))
        {
            await OperatorConsole.WriteJsonAsync(output, answer, typeInfo).ConfigureAwait(false);
        }
        else
        {
            WriteTable(OperatorConsole.Create(output), answer);
        }

        return ExitCodes.Success;
    }
}
