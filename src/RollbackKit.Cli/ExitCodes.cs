namespace RollbackKit.Cli;

/// <summary>
/// The process exit codes of every <c>rollbackkit</c> command. Documented in <c>--help</c> and in docs/backtest.md;
/// scripts depend on them, so a value never changes meaning.
/// </summary>
internal static class ExitCodes
{
    /// <summary>0: the command ran. For <c>backtest</c>: the replay completed, whether or not any trigger fired.</summary>
    public const int Success = 0;

    /// <summary>1: an unexpected failure (a bug, or a file that could not be written); the message says what.</summary>
    public const int Unexpected = 1;

    /// <summary>2: bad arguments or configuration; the message names the option or the configuration key path.</summary>
    public const int InvalidInput = 2;

    /// <summary>3: the metric source (Prometheus) is unreachable or answered with errors.</summary>
    public const int SourceFailed = 3;

    /// <summary>4: the server refused the caller (401 Unauthorized or 403 Forbidden): no or a wrong ROLLBACKKIT_TOKEN.</summary>
    public const int ServerRefused = 4;

    /// <summary>5: the server refused the request by policy (409 Conflict: cooldown, attempts exhausted, ...); the message says why.</summary>
    public const int RefusedByPolicy = 5;

    /// <summary>6: not found (404): an unknown rollback id, or no approval pending for it.</summary>
    public const int NotFound = 6;

    /// <summary>The exit codes of the operator commands (rollback, approve, hold, kill-switch, reset, status, history, stats).</summary>
    public const string OperationsHelpText =
        "Exit codes: 0 done, 1 unexpected failure, 2 bad arguments (or a journal file that does not exist), 3 server unreachable, " +
        "4 server refused the credentials (401/403), 5 request refused by policy (409, e.g. cooldown), 6 not found (404).";

    /// <summary>The text appended to <c>--help</c>.</summary>
    public const string HelpText =
        "Exit codes: 0 ran (whether or not a trigger fired), 1 unexpected failure, " +
        "2 bad arguments or configuration (the message names the key path), 3 Prometheus unreachable or answering errors (operator commands: the server unreachable), " +
        "4 server refused the credentials, 5 request refused by policy, 6 not found, 7 plan check or drill found problems.";

    /// <summary>7: <c>plan check</c> found a check that fails, or a <c>drill</c> did not roll back and verify within budget.</summary>
    public const int ProblemsFound = 7;
}
