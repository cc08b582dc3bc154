using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Hosting;

public sealed class StrictConfigurationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rk-config-" + Guid.NewGuid().ToString("N"));

    private string ValidJson => $$$"""
    {
      "RollbackKit": {
        "EvaluationInterval": "00:00:15",
        "Targets": [ { "Id": "shop/checkout", "Labels": { "namespace": "shop", "name": "checkout" } } ],
        "Queries": [
          { "Name": "canary_error_rate", "Expression": "rate(errors{namespace=\"{{namespace}}\"}[5m])" },
          { "Name": "baseline_error_rate", "Expression": "rate(errors{name=\"{{name}}\"}[5m])" }
        ],
        "Triggers": [
          { "Name": "error-rate", "Condition": "canary_error_rate > baseline_error_rate * 1.5", "For": "00:05:00", "Severity": "Critical" }
        ],
        "Playbook": { "Steps": [ { "Type": "recording", "Timeout": "00:00:30", "Settings": { "anything": "goes" } } ] },
        "Workflow": { "JournalPath": "{{{_directory.Replace("\\", "/", StringComparison.Ordinal)}}}/journal.jsonl" }
      }
    }
    """;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task HostStart_ValidJson_Starts()
    {
        using var host = BuildHost(ValidJson);
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Assert.Equal("goes", Assert.Single(options.Playbook.Steps).Settings["anything"]);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"Timeout\": \"5m\"", 300)]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"Timeout\": \"1h30m\"", 5400)]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"Timeout\": \"1d\"", 86400)]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"Timeout\": \"30s\"", 30)]
    public async Task HostStart_StepTimeoutAsDuration_KeepsTheStep(string find, string replace, int seconds)
    {
        using var host = BuildHost(Replace(find, replace));
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(seconds), Assert.Single(options.Playbook.Steps).Timeout);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStart_TriggerForAsDuration_KeepsTheTrigger()
    {
        using var host = BuildHost(Replace("\"For\": \"00:05:00\"", "\"For\": \"5m\""));
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(options.Triggers).For);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("\"Severity\": \"Critical\"", "\"Severity\": \"Urgent\"", "RollbackKit:Triggers:0:Severity: 'Urgent' is not valid")]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"Timeout\": \"5 minutes\"", "RollbackKit:Playbook:Steps:0:Timeout: '5 minutes' is not valid")]
    [InlineData("\"For\": \"00:05:00\"", "\"For\": \"soon\"", "RollbackKit:Triggers:0:For: 'soon' is not valid")]
    [InlineData("\"Triggers\":", "\"Trigers\":", "RollbackKit:Trigers: unknown key; did you mean 'Triggers'?")]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"timout\": \"00:00:30\"", "RollbackKit:Playbook:Steps:0:timout: unknown key; did you mean 'Timeout'?")]
    [InlineData("\"EvaluationInterval\": \"00:00:15\"", "\"EvaluationInterval\": \"00:00:15\", \"Workflow2\": {}", "RollbackKit:Workflow2: unknown key; did you mean 'Workflow'?")]
    [InlineData("\"EvaluationInterval\": \"00:00:15\"", "\"EvaluationInterval\": \"-5m\"", "RollbackKit:EvaluationInterval: must be greater than zero")]
    [InlineData("\"JournalPath\"", "\"MaxAttemptsPerTarget\": 0, \"JournalPath\"", "RollbackKit:Workflow:MaxAttemptsPerTarget: must be at least 1 (was 0)")]
    [InlineData("\"JournalPath\"", "\"MaxAttemptsPerTarget\": -1, \"JournalPath\"", "RollbackKit:Workflow:MaxAttemptsPerTarget: must be at least 1 (was -1)")]
    [InlineData("\"JournalPath\"", "\"MaxAttemptsPerTarget\": \"three\", \"JournalPath\"", "RollbackKit:Workflow:MaxAttemptsPerTarget: 'three' is not valid")]
    [InlineData("\"JournalPath\"", "\"Cooldown\": \"-5m\", \"JournalPath\"", "RollbackKit:Workflow:Cooldown: must not be negative")]
    [InlineData("\"JournalPath\"", "\"ApprovalTimeout\": \"-00:01:00\", \"JournalPath\"", "RollbackKit:Workflow:ApprovalTimeout: must not be negative")]
    public async Task HostStart_InvalidConfig_FailsNamingKeyPathAndValue(string find, string replace, string expected)
    {
        using var host = BuildHost(Replace(find, replace));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_EmptyPlaybook_Fails()
    {
        using var host = BuildHost(Replace("{ \"Type\": \"recording\", \"Timeout\": \"00:00:30\", \"Settings\": { \"anything\": \"goes\" } }", string.Empty));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RollbackKit:Playbook:Steps: target '", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has no playbook of its own and the default playbook has no steps", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_TargetInCodeWithoutAnyPlaybook_FailsNamingTarget()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        builder.Services.AddRollbackKit(o =>
        {
            o.MonitorEnabled = false;
            o.Workflow.JournalPath = Path.Combine(_directory, "code.jsonl");
            o.Targets.Add(new TargetDefinition { Id = "web" });
        });
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, static l => l.StartsWith("RollbackKit:Playbook:Steps: target 'web' (RollbackKit:Targets:0) has no playbook of its own", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostStart_TargetsOwnPlaybookEmpty_FailsNamingTarget()
    {
        using var host = BuildHost(Replace("\"Labels\": { \"namespace\": \"shop\", \"name\": \"checkout\" } }", "\"Labels\": { \"namespace\": \"shop\", \"name\": \"checkout\" }, \"Playbook\": { \"Budget\": \"5m\" } }"));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, static l => l.StartsWith("RollbackKit:Targets:0:Playbook:Steps: the playbook of target 'shop/checkout' has no steps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostStart_EmptyJournalPath_Fails()
    {
        var json = System.Text.RegularExpressions.Regex.Replace(ValidJson, "\"JournalPath\": \"[^\"]*\"", "\"JournalPath\": \"\"");
        using var host = BuildHost(json);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RollbackKit:Workflow:JournalPath: is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_UnwritableJournalPath_FailsAtStart()
    {
        Directory.CreateDirectory(_directory);
        var blocker = Path.Combine(_directory, "file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var json = System.Text.RegularExpressions.Regex.Replace(ValidJson, "\"JournalPath\": \"[^\"]*\"", "\"JournalPath\": \"" + blocker.Replace("\\", "/", StringComparison.Ordinal) + "/journal.jsonl\"");
        using var host = BuildHost(json);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RollbackKit:Workflow:JournalPath: cannot be opened for writing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_JournalPathInNewDirectory_CreatesItAtStart()
    {
        using var host = BuildHost(ValidJson);
        await host.StartAsync();
        Assert.True(Directory.Exists(_directory));
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStart_PlaceholderNoTargetFills_FailsNamingTargetAndQuery()
    {
        using var host = BuildHost(Replace("{{name}}", "{{app}}"));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RollbackKit:Queries:1:Expression: placeholder '{{app}}' is not filled by target 'shop/checkout' (RollbackKit:Targets:0:Labels)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_ManyProblems_ListsEveryOneInOneError()
    {
        var json = Replace("\"Severity\": \"Critical\"", "\"Severity\": \"Urgent\"")
            .Replace("\"Timeout\": \"00:00:30\"", "\"timout\": \"00:00:30\"", StringComparison.Ordinal)
            .Replace("\"JournalPath\"", "\"MaxAttemptsPerTarget\": 0, \"JournalPath\"", StringComparison.Ordinal);
        using var host = BuildHost(json);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(ex.Failures, static l => l.StartsWith("RollbackKit:Triggers:0:Severity: 'Urgent'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, static l => l.StartsWith("RollbackKit:Playbook:Steps:0:timout:", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, static l => l.StartsWith("RollbackKit:Workflow:MaxAttemptsPerTarget:", StringComparison.Ordinal));
        Assert.All(ex.Failures, static l => Assert.DoesNotContain('\n', l));
    }

    private string Replace(string find, string replace)
    {
        Assert.Contains(find, ValidJson, StringComparison.Ordinal);
        return ValidJson.Replace(find, replace, StringComparison.Ordinal);
    }

    internal static IHost BuildHost(string json)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddSingleton<IMetricSource>(new FakeMetricSource());
        builder.Services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        builder.Services.AddRollbackKit(o => o.MonitorEnabled = false);
        return builder.Build();
    }
}
