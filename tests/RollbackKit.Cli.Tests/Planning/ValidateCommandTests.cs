using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests.Planning;

/// <summary><c>rollbackkit validate</c> as a real process: every start-up check offline, one line per problem.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Validate_GoodConfiguration_Exits0WithSummary_AndWritesNoJournal()
    {
        var config = _directory.File("appsettings.json", PlanConfigs.Good(_directory.Path));

        var run = await CliProcess.RunAsync("validate", "--config", config);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            [
                "configuration is valid",
                "  targets:   1 (shop/checkout)",
                "  triggers:  1 (errors)",
                "  queries:   1 (error_rate)",
                "  sources:   1 (prometheus)",
                "  steps:     3 (http, delay)",
                "  notifiers: 2 (log, slack)",
                "  adapters:  2 (Prometheus, Slack)",
            ],
            Lines(run.Output));
        Assert.Equal(string.Empty, run.Error);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "journal")), "validate must not create or write the journal");
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "evidence")));
    }

    [Fact]
    public async Task Validate_BadConfiguration_Exits2WithOneLinePerProblem()
    {
        var config = _directory.File("appsettings.json", PlanConfigs.Bad(_directory.Path));

        var run = await CliProcess.RunAsync("validate", "--config", config);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            [
                "RollbackKit:Prometheus:BaseAddress: must be an absolute http:// or https:// URI (got 'ftp://metrics')",
                "RollbackKit:Slack:BotToken or RollbackKit:Slack:WebhookUrl must be set.",
                "RollbackKit:Triggers:0:For: 'soon' is not valid: expected a duration such as 500ms, 30s, 5m, 1h30m, 1d or 00:05:00.",
                "RollbackKit:Workflow:Cooldown: must not be negative (was -00:01:00).",
                "RollbackKit:Targets:0:Playbook:Steps:0:Settings:url: 'not a url' is not an absolute http or https URL.",
                "RollbackKit:Targets:0:Playbook:Steps:1:Type: unknown step type 'kubernetes.undoo' (known: command, delay, http, kubernetes.configmap.revert, kubernetes.evidence, kubernetes.pause, kubernetes.restart, kubernetes.resume, kubernetes.scale, kubernetes.traffic, kubernetes.undo, kubernetes.wait). Did you mean 'kubernetes.undo'?",
                "RollbackKit:Queries:0:Expression: placeholder '{{name}}' is not filled by target 'shop/checkout' (RollbackKit:Targets:0:Labels); add the label 'name' to the target or remove the placeholder.",
                "RollbackKit:Triggers:0:Condition: unknown name 'error_rat' at 1",
            ],
            Lines(run.Error));
        Assert.Equal(["configuration is invalid: 8 problem(s)"], Lines(run.Output));
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "journal")), "validate must not create or write the journal");
    }

    [Fact]
    public async Task Validate_UnwritableJournalFolder_NamesTheKeyPathAndValue()
    {
        var blocker = _directory.File("not-a-folder", "a file where the journal's folder should be");
        var settings = PlanConfigs.Good(_directory.Path).Replace(
            System.Text.Json.JsonEncodedText.Encode(Path.Combine(_directory.Path, "journal", "journal.jsonl")).ToString(),
            System.Text.Json.JsonEncodedText.Encode(Path.Combine(blocker, "journal.jsonl")).ToString(),
            StringComparison.Ordinal);
        var config = _directory.File("appsettings.json", settings);

        var run = await CliProcess.RunAsync("validate", "--config", config);

        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(Lines(run.Error));
        Assert.StartsWith($"RollbackKit:Workflow:JournalPath: cannot be opened for writing ('{Path.Combine(blocker, "journal.jsonl")}')", line, StringComparison.Ordinal);
        Assert.Equal("a file where the journal's folder should be", await File.ReadAllTextAsync(blocker));
    }

    [Fact]
    public async Task Validate_CustomSection_NamesItsKeyPaths_AndMissingSectionExits2()
    {
        var settings = PlanConfigs.Good(_directory.Path).Replace("\"RollbackKit\": {", "\"Deploy\": { \"Rollbacks\": {", StringComparison.Ordinal) + "}";
        settings = settings.Replace("\"Budget\": \"1m\"", "\"Budget\": \"0s\"", StringComparison.Ordinal);
        var config = _directory.File("appsettings.json", settings);

        var run = await CliProcess.RunAsync("validate", "--config", config, "--section", "Deploy:Rollbacks");
        var missing = await CliProcess.RunAsync("validate", "--config", config);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(["Deploy:Rollbacks:Playbook:Budget: must be greater than zero (was 00:00:00)."], Lines(run.Error));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("--section: 'RollbackKit' is not a section of", missing.Error, StringComparison.Ordinal);
    }

    internal static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static l => l.TrimEnd('\r')).Where(static l => l.Length > 0).ToArray();
}
