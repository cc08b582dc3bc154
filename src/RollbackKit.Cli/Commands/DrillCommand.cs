using System.CommandLine;
using RollbackKit.Cli.Drills;
using RollbackKit.Cli.Planning;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit drill</c>: a real rollback of one target through its configured playbook with reason "drill", then a markdown
/// report of each phase against its expected duration, the verification and the notifications.
/// </summary>
internal sealed class DrillCommand : ICliCommand
{
    private readonly Option<FileInfo> _config = PlanArguments.Config();
    private readonly Option<string> _section = PlanArguments.Section();

    private readonly Option<string> _target = new("--target", "-t")
    {
        Description = "The id of the target to roll back (a staging target: the drill really runs its playbook).",
        Required = true,
    };

    private readonly Option<FileInfo?> _report = new("--report")
    {
        Description = "Where to write the markdown drill report. Default: drill-<target>-<UTC time>.md in the current folder.",
    };

    public Command Create()
    {
        var command = new Command(
            "drill",
            "Roll a target back for real through its configured playbook (reason \"drill\", requested by drill:<user>), show the " +
            "progress, then write a markdown report: each phase's duration against its expected duration or budget, the " +
            "verification result and what notified whom. Exit 0: rolled back and verified within budget; 7: it did not (the " +
            "report says why; written either way); 2: invalid configuration or unknown target.");
        command.Options.Add(_config);
        command.Options.Add(_section);
        command.Options.Add(_target);
        command.Options.Add(_report);
        command.SetAction((parseResult, cancellationToken) => DrillAction.RunAsync(
            new DrillSettings(
                parseResult.GetRequiredValue(_config),
                parseResult.GetValue(_section) ?? RollbackKitOptions.SectionName,
                parseResult.GetRequiredValue(_target),
                parseResult.GetValue(_report)),
            parseResult.InvocationConfiguration,
            cancellationToken));
        return command;
    }
}
