using System.CommandLine;
using RollbackKit.Cli.Planning;

namespace RollbackKit.Cli.Commands;

/// <summary><c>rollbackkit plan check</c>: a table of each target's rollback plan checks; exit 0 all pass, 7 any fails, 2 invalid configuration.</summary>
internal sealed class PlanCheckCommand : ICliCommand
{
    private readonly Option<FileInfo> _config = PlanArguments.Config();
    private readonly Option<string> _section = PlanArguments.Section();

    public Command Create()
    {
        var check = new Command(
            "check",
            "Check that every target's rollback plan is complete: step types known, step timeouts and expected durations within " +
            "the playbook budget, verification configured, a point of no return declared where a step cannot be undone, " +
            "notifications configured. Exit 0: all pass; 7: a check failed; 2: the configuration is invalid.");
        check.Options.Add(_config);
        check.Options.Add(_section);
        check.SetAction((parseResult, cancellationToken) => PlanCheckAction.RunAsync(
            parseResult.GetRequiredValue(_config),
            parseResult.GetValue(_section) ?? RollbackKitOptions.SectionName,
            parseResult.InvocationConfiguration,
            cancellationToken));
        var plan = new Command("plan", "Rollback plan commands.");
        plan.Subcommands.Add(check);
        return plan;
    }
}
