using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

public class WorkflowRegistrationTests
{
    [Fact]
    public async Task AddRollbackKit_Twice_RegistersWorkflowServicesOnce()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit().AddPlaybookStep("custom", (_, _) => ValueTask.FromResult(StepResult.Success()));
        services.AddRollbackKit();
        Assert.Single(services, d => d.ServiceType == typeof(IRollbackDispatcher));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory is not null);
        await using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<IRollbackDispatcher>(), provider.GetRequiredService<IRollbackController>());
        Assert.IsType<FileRollbackJournal>(provider.GetRequiredService<IRollbackJournal>());
        Assert.IsType<InProcessRollbackLock>(provider.GetRequiredService<IRollbackLock>());
        Assert.IsType<InMemoryApprovalGate>(provider.GetRequiredService<IApprovalGate>());
        Assert.NotNull(provider.GetRequiredService<IRollbackHistory>());
        var types = provider.GetServices<IPlaybookStepFactory>().Select(f => f.Type).Order().ToArray();
        Assert.Equal(["command", "custom", "delay", "http"], types);
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        var o = new RollbackWorkflowOptions();
        Assert.True(o.AutoRollbackEnabled);
        Assert.Equal(3, o.MaxAttemptsPerTarget);
        Assert.Equal(TimeSpan.FromMinutes(10), o.Cooldown);
        Assert.Equal(TimeSpan.FromMinutes(15), o.AcknowledgementTimeout);
        Assert.Equal(MediumSeverityPolicy.AlertOnly, o.MediumSeverity);
        Assert.Equal(TimeSpan.FromMinutes(2), o.ProgressInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), o.NotifierTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), o.VerificationWindow);
        Assert.Equal(TimeSpan.FromSeconds(15), o.VerificationInterval);
        Assert.Equal("./rollbackkit/journal.jsonl", o.JournalPath);
    }

    [Fact]
    public void Options_BindFromConfiguration()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workflow:MediumSeverity"] = "RequireApproval",
            ["Workflow:Cooldown"] = "00:05:00",
            ["Workflow:PointOfNoReturnTargets:0"] = "payments",
            ["Workflow:UnfinishedWorkflows"] = "MarkForAttention",
        }).Build();
        var options = config.Get<RollbackKitOptions>()!;
        Assert.Equal(MediumSeverityPolicy.RequireApproval, options.Workflow.MediumSeverity);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Workflow.Cooldown);
        Assert.Equal(["payments"], options.Workflow.PointOfNoReturnTargets);
        Assert.Equal(UnfinishedWorkflowPolicy.MarkForAttention, options.Workflow.UnfinishedWorkflows);
    }
}
