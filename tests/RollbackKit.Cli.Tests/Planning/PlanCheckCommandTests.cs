using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests.Planning;

/// <summary><c>rollbackkit plan check</c> as a real process: the table rows and the exit code.</summary>
public sealed class PlanCheckCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task PlanCheck_CompletePlan_Exits0_EveryRowPasses()
    {
        var config = _directory.File("appsettings.json", PlanConfigs.Good(_directory.Path));

        var run = await CliProcess.RunAsync("plan", "check", "--config", config);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            [
                ["shop/checkout", "step types", "pass", "3 step(s), all known: http, delay, http"],
                ["shop/checkout", "step timeouts", "pass", "longest step 'health' needs at most 10s of the budget 1m"],
                ["shop/checkout", "expected durations", "pass", "sum 12s within the budget 1m"],
                ["shop/checkout", "verification", "pass", "errors re-checked once after the playbook"],
                ["shop/checkout", "point of no return", "pass", "no irreversible step"],
                ["shop/checkout", "notifications", "pass", "slack (incoming webhook, channel #deploys)"],
            ],
            Rows(run.Output));
        Assert.Contains("plan check passed: 6 checks", run.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "journal")), "plan check must not create the journal");
    }

    [Fact]
    public async Task PlanCheck_IncompletePlans_Exits7_NamingEachGap()
    {
        var config = _directory.File("appsettings.json", PlanConfigs.Incomplete(_directory.Path));

        var run = await CliProcess.RunAsync("plan", "check", "--config", config);

        Assert.True(run.ExitCode == 7, run.ToString());
        const string Cart = "RollbackKit:Targets:1:Playbook";
        Assert.Equal(
            [
                ["shop/checkout", "step types", "pass", "1 step(s), all known: delay"],
                ["shop/checkout", "step timeouts", "pass", "longest step 'wait' needs at most 10s of the budget 5m"],
                ["shop/checkout", "expected durations", "pass", "sum 10s within the budget 5m (1 step(s) without ExpectedDuration counted at their timeout)"],
                ["shop/checkout", "verification", "FAIL", "no enabled rollback trigger in RollbackKit:Triggers: verification would measure nothing"],
                ["shop/checkout", "point of no return", "FAIL", "RollbackKitPlan:PointsOfNoReturn names step 'migrate', which is not in RollbackKit:Playbook:Steps"],
                ["shop/checkout", "notifications", "FAIL", "only the log notifier: nobody is told; configure RollbackKit:Slack, RollbackKit:PagerDuty or RollbackKit:Email"],
                ["shop/cart", "step types", "FAIL", $"{Cart}:Steps:2:Type 'kubernetes.undoo' is not a known step type"],
                ["shop/cart", "step timeouts", "FAIL", $"{Cart}:Steps:0 'health': timeout 20s × 2 attempt(s) + 5s retry delays = 45s exceeds the budget 30s ({Cart}:Budget)"],
                ["shop/cart", "expected durations", "FAIL", $"sum 35s exceeds the budget 30s ({Cart}:Budget) (3 step(s) without ExpectedDuration counted at their timeout)"],
                ["shop/cart", "verification", "FAIL", "no enabled rollback trigger in RollbackKit:Triggers: verification would measure nothing"],
                ["shop/cart", "point of no return", "FAIL", $"{Cart}:Steps:1 'purge-cache' (command) cannot be undone and no point of no return is declared; add {{ \"Target\": \"shop/cart\", \"Step\": \"purge-cache\" }} to RollbackKitPlan:PointsOfNoReturn"],
                ["shop/cart", "notifications", "FAIL", "only the log notifier: nobody is told; configure RollbackKit:Slack, RollbackKit:PagerDuty or RollbackKit:Email"],
            ],
            Rows(run.Output));
        Assert.Contains("plan check failed: 9 of 12 checks", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanCheck_DeclaredPointOfNoReturn_Passes()
    {
        var settings = PlanConfigs.Incomplete(_directory.Path).Replace(
            "\"PointsOfNoReturn\": [ { \"Target\": \"shop/checkout\", \"Step\": \"migrate\" } ]",
            "\"PointsOfNoReturn\": [ { \"Target\": \"shop/cart\", \"Step\": \"purge-cache\" } ]",
            StringComparison.Ordinal);
        var config = _directory.File("appsettings.json", settings);

        var run = await CliProcess.RunAsync("plan", "check", "--config", config);

        Assert.True(run.ExitCode == 7, run.ToString());
        var rows = Rows(run.Output);
        Assert.Contains(["shop/checkout", "point of no return", "pass", "no irreversible step"], rows);
        Assert.Contains(["shop/cart", "point of no return", "pass", "declared at step 1 'purge-cache'; irreversible: RollbackKit:Targets:1:Playbook:Steps:1 'purge-cache' (command)"], rows);
    }

    [Fact]
    public async Task PlanCheck_InvalidConfiguration_Exits2WithTheProblems()
    {
        var config = _directory.File("appsettings.json", PlanConfigs.Bad(_directory.Path));

        var run = await CliProcess.RunAsync("plan", "check", "--config", config);

        Assert.True(run.ExitCode == 2, run.ToString());
        var lines = ValidateCommandTests.Lines(run.Error);
        Assert.Equal(7, lines.Length);
        Assert.Contains("RollbackKit:Triggers:0:Condition: unknown name 'error_rat' at 1", lines);
        Assert.DoesNotContain(lines, static l => l.Contains("unknown step type", StringComparison.Ordinal));
        Assert.DoesNotContain("Rollback plan", run.Output, StringComparison.Ordinal);
    }

    /// <summary>The table's body rows as cells (the rounded border's │ separators), header excluded.</summary>
    private static List<string[]> Rows(string output) =>
        ValidateCommandTests.Lines(output)
            .Where(static l => l.StartsWith('│'))
            .Select(static l => l.Trim().Trim('│').Split('│').Select(static c => c.Trim()).ToArray())
            .Where(static cells => cells[0] != "Target")
            .ToList();
}
