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

    /// <summary>The text appended to <c>--help</c>.</summary>
    public const string HelpText =
        "Exit codes: 0 ran (whether or not a trigger fired), 1 unexpected failure, " +
        "2 bad arguments or configuration (the message names the key path), 3 Prometheus unreachable or answering errors.";
}
