using System.Text.Json.Serialization.Metadata;
using RollbackKit.Cli.Operations;
using RollbackKit.Journal;
using RollbackKit.Operations;
using Spectre.Console;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit history</c>: finished rollbacks (oldest first) from a server (<c>GET {server}/rollbacks</c>) or, offline, from
/// a journal file read read-only.
/// </summary>
internal sealed class HistoryCommand() : JournalQueryCommand<IReadOnlyList<RollbackAuditRecord>>("Print the audit records as JSON (the API's format) instead of a table.")
{
    protected override string Name => "history";

    protected override string Description =>
        "Finished rollbacks with why, who, state and time against the playbook's budget, from a server or a journal file.";

    protected override string Route => "rollbacks";

    protected override JsonTypeInfo<IReadOnlyList<RollbackAuditRecord>> TypeInfo => OperatorJson.TypeInfo<IReadOnlyList<RollbackAuditRecord>>();

    protected override ValueTask<IReadOnlyList<RollbackAuditRecord>> QueryAsync(IRollbackHistory history, string? target, DateTimeOffset? since, CancellationToken cancellationToken) =>
        history.GetRollbacksAsync(target, since, cancellationToken: cancellationToken);

    protected override void WriteTable(IAnsiConsole console, IReadOnlyList<RollbackAuditRecord> answer) => OperatorTables.WriteHistory(console, answer);
}
