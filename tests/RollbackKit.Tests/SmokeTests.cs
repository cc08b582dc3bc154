using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RollbackKit.Dispatch;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Tests;

/// <summary>
/// The package wired the way a user wires it, through the public API only: a generic host with <c>AddRollbackKit</c>
/// and a playbook step starts (services validated on build), a manual rollback runs the playbook to
/// <see cref="RollbackState.RolledBack"/> and is journaled, and the host stops.
/// </summary>
public sealed class SmokeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-smoke-").FullName;

    [Fact]
    public async Task Host_ManualRollback_RunsThePlaybookJournalsAndStops()
    {
        var runs = new List<string>();
        var journal = Path.Combine(_dir, "journal.jsonl");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["namespace"] = "shop", ["name"] = "checkout" } });
                o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "smoke", Name = "undo" }] };
                o.Workflow.JournalPath = journal;
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddPlaybookStep("smoke", (context, _) =>
            {
                lock (runs)
                {
                    runs.Add($"{context.Request.Target.Id}|{context.Request.Reason}|{context.Attempt}");
                }

                return ValueTask.FromResult(StepResult.Success("undone"));
            });
        using var host = builder.Build();
        await host.StartAsync();
        var controller = host.Services.GetRequiredService<IRollbackController>();
        Assert.Same(controller, host.Services.GetRequiredService<IRollbackDispatcher>());

        var result = await controller.RollbackAsync("shop/checkout", "smoke test", "tester");

        Assert.Equal(DispatchStatus.Started, result.Status);
        Assert.NotNull(result.RollbackId);
        var status = await controller.WaitForCompletionAsync(result.RollbackId).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal("shop/checkout", status.TargetId);
        Assert.Equal(RollbackTriggerType.Manual, status.Request.TriggerType);
        Assert.Equal("tester", status.Request.RequestedBy);
        Assert.Equal(["shop/checkout|smoke test|1"], runs);
        await host.StopAsync();
        Assert.Contains(result.RollbackId, await File.ReadAllTextAsync(journal), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
