using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Hosting;

public class ComponentOptionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<RollbackKitOptions>? configure = null, IConfiguration? section = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (section is not null)
        {
            services.AddRollbackKit(section);
        }
        else if (configure is not null)
        {
            services.AddRollbackKit(configure);
        }
        else
        {
            services.AddRollbackKit();
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task ComponentOptions_BoundFromTheSameKeysAsBefore()
    {
        await using var provider = Build(new()
        {
            ["RollbackKit:Targets:0:Id"] = "app",
            ["RollbackKit:Targets:0:AutoRollback"] = "false",
            ["RollbackKit:Targets:0:Playbook:Budget"] = "00:03:00",
            ["RollbackKit:Targets:0:Playbook:Steps:0:Type"] = "delay",
            ["RollbackKit:Targets:0:Playbook:Steps:0:Settings:duration"] = "1s",
            ["RollbackKit:Workflow:Cooldown"] = "00:05:00",
            ["RollbackKit:Workflow:MaxAttemptsPerTarget"] = "7",
            ["RollbackKit:Workflow:DeduplicationWindow"] = "01:00:00",
            ["RollbackKit:Workflow:PointOfNoReturnTargets:0"] = "payments",
            ["RollbackKit:Workflow:AcknowledgementTimeout"] = "00:01:00",
            ["RollbackKit:Workflow:VerificationWindow"] = "00:00:30",
            ["RollbackKit:Workflow:UnfinishedWorkflows"] = "MarkForAttention",
            ["RollbackKit:Workflow:JournalPath"] = "/tmp/j.jsonl",
            ["RollbackKit:Workflow:NotifierTimeout"] = "00:00:03",
        });

        var dispatch = provider.GetRequiredService<IOptions<DispatchOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(5), dispatch.Cooldown);
        Assert.Equal(7, dispatch.MaxAttemptsPerTarget);
        Assert.Equal(TimeSpan.FromHours(1), dispatch.DeduplicationWindow);
        Assert.Equal(["payments"], dispatch.PointOfNoReturnTargets);
        Assert.False(dispatch.TargetAutoRollback["app"]);
        Assert.Equal(TimeSpan.FromMinutes(1), provider.GetRequiredService<IOptions<ApprovalOptions>>().Value.AcknowledgementTimeout);
        var workflow = provider.GetRequiredService<IOptions<WorkflowOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(30), workflow.VerificationWindow);
        Assert.Equal(UnfinishedWorkflowPolicy.MarkForAttention, workflow.UnfinishedWorkflows);
        Assert.Equal("/tmp/j.jsonl", provider.GetRequiredService<IOptions<JournalOptions>>().Value.Path);
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<IOptions<NotificationOptions>>().Value.NotifierTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), provider.GetRequiredService<IOptions<PlaybookOptions>>().Value.TargetPlaybooks["app"].Budget);
    }

    [Fact]
    public async Task ComponentOptions_ConfiguredInCode_AppliedAfterConfiguration()
    {
        await using var provider = Build(
            new() { ["RollbackKit:Workflow:Cooldown"] = "00:05:00" },
            o => o.Workflow.Cooldown = TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromMinutes(1), provider.GetRequiredService<IOptions<DispatchOptions>>().Value.Cooldown);
    }

    [Fact]
    public async Task ComponentOptions_Invalid_FailNamingTheKeyPathOfTheSectionUsed()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ops:Rollbacks:Workflow:MaxAttemptsPerTarget"] = "0",
        }).Build();
        await using var provider = Build([], section: config.GetSection("Ops:Rollbacks"));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IRollbackDispatcher>());
        Assert.Contains("Ops:Rollbacks:Workflow:MaxAttemptsPerTarget: must be at least 1 (was 0).", ex.Failures);
    }

    [Theory]
    [InlineData("AttemptWindow", "-00:00:01", "AttemptWindow: must not be negative")]
    [InlineData("Cooldown", "-00:00:01", "Cooldown: must not be negative")]
    [InlineData("AcknowledgementTimeout", "-00:00:02", "AcknowledgementTimeout: must not be negative")]
    [InlineData("ProgressInterval", "-00:00:01", "ProgressInterval: must not be negative")]
    [InlineData("JournalPath", " ", "JournalPath: is required")]
    public async Task ComponentOptions_EachValidatorNamesItsKey(string key, string value, string expected)
    {
        await using var provider = Build(new() { [$"RollbackKit:Workflow:{key}"] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IRollbackController>());
        Assert.Contains(ex.Failures, f => f.StartsWith($"RollbackKit:Workflow:{expected}", StringComparison.Ordinal));
    }
}
