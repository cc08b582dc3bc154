namespace RollbackKit.Cli;

/// <summary>A failure a command reports to the user with a message and an exit code from <see cref="ExitCodes"/>.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The exit code, one of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; } = ExitCodes.Unexpected;
}
