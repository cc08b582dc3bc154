using System.CommandLine;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// One <c>rollbackkit</c> sub-command. Its action returns an exit code from <see cref="ExitCodes"/> and reports
/// user-facing failures by throwing <see cref="CliException"/>.
/// </summary>
internal interface ICliCommand
{
    /// <summary>Creates the command with its options and action.</summary>
    Command Create();
}
