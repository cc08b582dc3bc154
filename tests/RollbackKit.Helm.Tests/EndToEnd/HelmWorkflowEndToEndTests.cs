using System.IO.Compression;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Helm.Tests.Infrastructure;
using RollbackKit.Workflow;

namespace RollbackKit.Helm.Tests.EndToEnd;

/// <summary>
/// The whole path as an application wires it: configuration → AddRollbackKit().AddHelm() → a manual rollback through
/// the workflow → helm.status and helm.rollback with the real helm binaries against the emulator → evidence bundle.
/// </summary>
public sealed class HelmWorkflowEndToEndTests(HelmClusterFixture cluster) : IClassFixture<HelmClusterFixture>, IDisposable
{
    private readonly TempDirectory _work = new();

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task ManualRollback_ConfiguredHelmPlaybook_RollsBackAndWritesEvidenceBundle(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, "payments")).Succeeded);
        using (cluster.RefuseConfigMapWrites())
        {
            Assert.False((await cluster.DeployAsync(cli, "upgrade", release, "payments", "--set", "version=2.0-broken")).Succeeded);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:MonitorEnabled"] = "false",
            ["RollbackKit:Helm:HelmPath"] = HelmBinaries.Path(major),
            ["RollbackKit:Helm:KubeConfig"] = cluster.KubeConfig,
            ["RollbackKit:Helm:HomeDirectory"] = cluster.HelmHome,
            ["RollbackKit:Targets:0:Id"] = "payments/checkout",
            ["RollbackKit:Targets:0:Labels:namespace"] = "payments",
            ["RollbackKit:Targets:0:Labels:name"] = release,
            ["RollbackKit:Playbook:Steps:0:Type"] = "helm.status",
            ["RollbackKit:Playbook:Steps:0:Name"] = "Record release status",
            ["RollbackKit:Playbook:Steps:0:Timeout"] = "00:00:30",
            ["RollbackKit:Playbook:Steps:1:Type"] = "helm.rollback",
            ["RollbackKit:Playbook:Steps:1:Name"] = "Roll back checkout",
            ["RollbackKit:Playbook:Steps:1:Timeout"] = "00:01:00",
            ["RollbackKit:Playbook:Steps:1:Retries"] = "1",
            ["RollbackKit:Playbook:Steps:1:ExpectedDuration"] = "00:00:30",
            ["RollbackKit:Playbook:Steps:1:Settings:wait"] = "true",
            ["RollbackKit:Playbook:Steps:1:Settings:cleanupOnFail"] = "true",
            ["RollbackKit:Workflow:VerificationEnabled"] = "false",
            ["RollbackKit:Workflow:JournalPath"] = _work.File("journal.jsonl"),
            ["RollbackKit:Workflow:EvidenceDirectory"] = _work.File("evidence"),
            ["RollbackKit:Workflow:UnfinishedScanInterval"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddRollbackKit().AddHelm();
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var controller = provider.GetRequiredService<IRollbackController>();

        var dispatched = await controller.RollbackAsync("payments/checkout", "checkout error rate 12%", "on-call");
        var status = await controller.WaitForCompletionAsync(dispatched.RollbackId!).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(RollbackState.RolledBack, status.State);
        var history = await cluster.HistoryAsync(cli, release, "payments");
        Assert.Equal((3, "deployed", "Rollback to 1"), (history[^1].Revision, history[^1].Status, history[^1].Description));
        Assert.NotNull(status.EvidencePath);
        using var bundle = ZipFile.OpenRead(status.EvidencePath!);
        var names = bundle.Entries.Select(e => e.FullName).ToList();
        Assert.Contains(names, n => n.EndsWith($"helm/payments/{release}/status.json", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith($"helm/payments/{release}/rollback.txt", StringComparison.Ordinal));
        var rollback = bundle.Entries.First(e => e.FullName.EndsWith("rollback.txt", StringComparison.Ordinal));
        using var reader = new StreamReader(rollback.Open());
        Assert.Contains($"$ helm rollback {release} 1 ", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    public void Dispose() => _work.Dispose();
}
