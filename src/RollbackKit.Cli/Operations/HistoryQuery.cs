using System.CommandLine;
using System.Text;
using RollbackKit.Journal;

namespace RollbackKit.Cli.Operations;

/// <summary>Answers a <c>history</c> or <c>stats</c> query from a journal file (<c>--journal</c>) or from a server.</summary>
internal static class HistoryQuery
{
    public static async Task<T> RunAsync<T>(
        ParseResult parseResult,
        Option<string?> serverOption,
        Option<FileInfo?> journalOption,
        string? target,
        Since? since,
        Func<IRollbackHistory, string?, DateTimeOffset?, CancellationToken, ValueTask<T>> offline,
        Func<OperatorServer, string, CancellationToken, Task<T>> online,
        CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(journalOption) is { } journal)
        {
            if (!string.IsNullOrWhiteSpace(parseResult.GetValue(serverOption)))
            {
                throw new CliException(ExitCodes.InvalidInput, "--journal and --server cannot be used together: read a journal file or ask a server.");
            }

            var snapshot = await OfflineJournal.ReadAsync(journal, OperatorConsole.Error(parseResult), cancellationToken).ConfigureAwait(false);
            return await offline(snapshot.History, target, since?.At, cancellationToken).ConfigureAwait(false);
        }

        using var server = OperatorServer.FromOptionOrEnvironment(parseResult.GetValue(serverOption))
            ?? throw new CliException(ExitCodes.InvalidInput, $"no server and no journal: pass --server <url>, set {OperatorServer.ServerVariable}, or pass --journal <path>.");
        return await online(server, Query(target, since), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The query string (<c>?target=…&amp;since=…</c>), empty when neither is given.</summary>
    public static string Query(string? target, Since? since)
    {
        var query = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(target))
        {
            query.Append(query.Length == 0 ? '?' : '&').Append("target=").Append(Uri.EscapeDataString(target));
        }

        if (since is not null)
        {
            query.Append(query.Length == 0 ? '?' : '&').Append("since=").Append(Uri.EscapeDataString(since.Text));
        }

        return query.ToString();
    }
}
