using System.CommandLine;

namespace RollbackKit.Cli.Operations;

/// <summary>The options every operator command shares: where the server is, and (for history and stats) a journal file instead.</summary>
internal static class OperationOptions
{
    /// <summary>Creates the <c>--server</c> option.</summary>
    public static Option<string?> Server() => new("--server", "-s")
    {
        Description = $"The management API's base address with its prefix, e.g. http://127.0.0.1:5000/rollbackkit. " +
            $"Default: ${OperatorServer.ServerVariable}. The bearer token is read from ${OperatorServer.TokenVariable}.",
    };

    /// <summary>Creates the <c>--journal</c> option (offline history and stats).</summary>
    public static Option<FileInfo?> Journal() => new("--journal", "-j")
    {
        Description = "Read this journal file (RollbackKit:Workflow:JournalPath) instead of asking a server. Read-only: the file is never changed.",
    };

    /// <summary>The server to talk to; exit code 2 when none is given.</summary>
    public static OperatorServer RequireServer(ParseResult parseResult, Option<string?> server) =>
        OperatorServer.FromOptionOrEnvironment(parseResult.GetValue(server))
        ?? throw new CliException(ExitCodes.InvalidInput, $"no server: pass --server <url> or set {OperatorServer.ServerVariable}.");
}
