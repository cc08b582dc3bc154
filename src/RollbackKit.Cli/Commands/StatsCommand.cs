using System.Text.Json.Serialization.Metadata;
using RollbackKit.Cli.Operations;
using RollbackKit.Journal;
using RollbackKit.Operations;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit stats</c>: success rate, causes, time to detect and to roll back (mean and p95), manual against automatic,
/// from a server (<c>GET {server}/stats</c>) or, offline, from a journal file read read-only.
/// </summary>
internal sealed class StatsCommand() : JournalQueryCommand<RollbackStatistics>("Print the statistics as JSON (the API's format) instead of a table.")
{
    protected override string Name => "stats";

    protected override string Description =>
        "Rollback statistics: success rate, causes, time to detect and to roll back (mean, p95), manual vs automatic.";

    protected override string Route => "stats";

    protected override JsonTypeInfo<RollbackStatistics> TypeInfo => OperatorJson.TypeInfo<RollbackStatistics>();

    protected override ValueTask<RollbackStatistics> QueryAsync(IRollbackHistory history, string? target, DateTimeOffset? since, CancellationToken cancellationToken) =>
        history.GetStatisticsAsync(target, since, cancellationToken: cancellationToken);

    protected override void WriteTable(IAnsiConsole console, RollbackStatistics answer) => OperatorTables.WriteStatistics(console, answer);
}
