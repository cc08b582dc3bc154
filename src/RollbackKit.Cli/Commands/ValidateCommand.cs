using System.CommandLine;
using RollbackKit.Cli.Planning;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit validate</c>: builds the host from an appsettings file the way the application does and runs every start-up
/// check offline; prints a summary (exit 0) or one line per problem naming its key path (exit 2).
/// </summary>
internal sealed class ValidateCommand : ICliCommand
{
    private readonly Option<FileInfo> _config = PlanArguments.Config();
    private readonly Option<string> _section = PlanArguments.Section();

    public Command Create()
    {
        var command = new Command(
            "validate",
            "Run every start-up check of a RollbackKit configuration offline (options, adapters' settings, playbooks and step " +
            "settings, placeholders, triggers, journal path) without starting the monitor, contacting a server or writing the " +
            "journal. Exit 0: valid; 2: one line per problem on standard error, each naming its key path and value.");
        command.Options.Add(_config);
        command.Options.Add(_section);
        command.SetAction((parseResult, cancellationToken) => ValidateAction.RunAsync(
            parseResult.GetRequiredValue(_config),
            parseResult.GetValue(_section) ?? RollbackKitOptions.SectionName,
            parseResult.InvocationConfiguration,
            cancellationToken));
        return command;
    }
}
