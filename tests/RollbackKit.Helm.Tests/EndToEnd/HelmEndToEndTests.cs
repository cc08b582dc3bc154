using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;

namespace RollbackKit.Helm.Tests.EndToEnd;

/// <summary>
/// The real helm 3.17.3 and 4.1.4 binaries against the in-process Kubernetes API emulator: real installs, upgrades the
/// cluster refuses (failed revisions), an upgrade killed while waiting (pending), and our steps on top.
/// </summary>
public sealed class HelmEndToEndTests(HelmClusterFixture cluster) : IClassFixture<HelmClusterFixture>
{
    private const string Ns = "shop";

    private string? ConfigMapVersion(string release) =>
        cluster.Emulator.Get("v1", "configmaps", Ns, release + "-config")?["data"]?["version"]?.GetValue<string>();

    private static RollbackKit.Playbooks.IPlaybookStep RollbackStep(HelmCli cli, params (string, string)[] settings) =>
        new HelmRollbackStepFactory(cli, new HelmMetrics(TestMeters.Factory)).Create(TestHelm.Definition(HelmStepTypes.Rollback, settings));

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task ProbeEffect_RealRelease_NotAppliedBeforeRollbackAppliedAfter(string major)
    {
        // What a resumed rollback asks when a crash interrupted this step: did the rollback happen?
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns)).Succeeded);
        using (cluster.RefuseConfigMapWrites())
        {
            Assert.False((await cluster.DeployAsync(cli, "upgrade", release, Ns, "--set", "version=2.0-broken")).Succeeded);
        }

        var step = RollbackStep(cli);
        var probe = Assert.IsAssignableFrom<RollbackKit.Playbooks.IStepEffectProbe>(step);
        var evidence = new RecordingEvidence();
        var plain = TestHelm.Context(evidence, release, Ns);
        var context = new RollbackKit.Playbooks.PlaybookStepContext(
            plain.RollbackId,
            new RollbackRequest { Target = plain.Target, TriggerType = RollbackTriggerType.Manual, Reason = "test", RequestedAt = DateTimeOffset.UtcNow },
            evidence,
            plain.Services,
            TimeProvider.System); // requested after the failed upgrade (helm stamps history with the same real clock)

        var before = await probe.ProbeEffectAsync(context, CancellationToken.None);
        var result = await step.ExecuteAsync(context, CancellationToken.None);
        var after = await probe.ProbeEffectAsync(context, CancellationToken.None);

        Assert.Equal(RollbackKit.Playbooks.StepEffect.NotApplied, before);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(RollbackKit.Playbooks.StepEffect.Applied, after);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_AfterTwoFailedUpgrades_SkipsFailedRevisionsAndRestoresTheGoodOne(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        var install = await cluster.DeployAsync(cli, "install", release, Ns);
        Assert.True(install.Succeeded, install.ToEvidence());
        using (cluster.RefuseConfigMapWrites())
        {
            foreach (var broken in (string[])["2.0-broken", "3.0-broken"])
            {
                var upgrade = await cluster.DeployAsync(cli, "upgrade", release, Ns, "--set", "version=" + broken);
                Assert.False(upgrade.Succeeded);
                Assert.Contains("forbidden", upgrade.StandardError, StringComparison.Ordinal);
            }
        }

        // helm's own default ("previous revision") would be revision 2, which failed.
        Assert.Equal(["deployed", "failed", "failed"], (await cluster.HistoryAsync(cli, release, Ns)).Select(r => r.Status));
        var evidence = new RecordingEvidence();

        var result = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(evidence, release, Ns), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        var version = await cli.GetVersionAsync(CancellationToken.None);
        Assert.Equal(
            $"rolled back release '{release}' in namespace '{Ns}' from revision 3 (failed) to revision 1 with helm {version}; revision 4 is deployed",
            result.Message);
        var history = await cluster.HistoryAsync(cli, release, Ns);
        Assert.Equal(4, history[^1].Revision);
        Assert.Equal("deployed", history[^1].Status);
        Assert.Equal("Rollback to 1", history[^1].Description);
        Assert.Equal("1.0", ConfigMapVersion(release));
        var record = evidence.Items[$"helm/{Ns}/{release}/rollback.txt"];
        Assert.Contains($"$ helm rollback {release} 1 {(major == "3" ? "--wait" : "--wait=watcher")} --timeout 108s --namespace {Ns} --kubeconfig {cluster.KubeConfig}", record, StringComparison.Ordinal);
        Assert.Contains("Rollback was a success! Happy Helming!", record, StringComparison.Ordinal);
        Assert.Contains("\"failed\"", evidence.Items[$"helm/{Ns}/{release}/history-before.json"], StringComparison.Ordinal);
        Assert.Contains("Rollback to 1", evidence.Items[$"helm/{Ns}/{release}/history-after.json"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_PendingUpgrade_RefusedUnlessAllowPending(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns)).Succeeded);

        // An upgrade that waits for a Pod that never becomes ready: killed mid-way, it leaves the release pending-upgrade.
        using (var killer = new CancellationTokenSource())
        {
            var wait = major == "3" ? "--wait" : "--wait=watcher";
            var upgrade = cli.RunAsync(
                ["upgrade", release, cluster.Chart, "--namespace", Ns, "--disable-openapi-validation", "--set", "stuck=true", wait, "--timeout", "5m", "--kubeconfig", cluster.KubeConfig],
                TimeSpan.FromMinutes(2),
                killer.Token);
            var pending = false;
            for (var i = 0; i < 300 && !pending && !upgrade.IsCompleted; i++)
            {
                var history = await cluster.HistoryAsync(cli, release, Ns);
                pending = history[^1].Status == "pending-upgrade";
                if (!pending)
                {
                    await Task.Delay(50);
                }
            }

            Assert.True(pending, "the upgrade never became pending-upgrade");
            await killer.CancelAsync();
            Assert.Equal(ProcessOutcome.Cancelled, (await upgrade).Process.Outcome);
        }

        var refused = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), release, Ns), CancellationToken.None);

        Assert.False(refused.Succeeded);
        Assert.StartsWith($"release '{release}' in namespace '{Ns}' is pending-upgrade at revision 2: another helm operation is in flight", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await cluster.HistoryAsync(cli, release, Ns)).Count);

        var allowed = await RollbackStep(cli, ("allowPending", "true")).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), release, Ns), CancellationToken.None);

        Assert.True(allowed.Succeeded, allowed.Message);
        var after = await cluster.HistoryAsync(cli, release, Ns);
        Assert.Equal((3, "deployed", "Rollback to 1"), (after[^1].Revision, after[^1].Status, after[^1].Description));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_CancelledWhileHelmWaits_KillsHelmAndNextAttemptSeesPendingRollback(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        // Revision 1 holds a Pod that never becomes ready; revision 2 drops it. Rolling back to 1 with --wait never ends.
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns, "--set", "stuck=true")).Succeeded);
        Assert.True((await cluster.DeployAsync(cli, "upgrade", release, Ns)).Succeeded);
        var evidence = new RecordingEvidence();
        using var cancel = new CancellationTokenSource();

        var run = RollbackStep(cli).ExecuteAsync(TestHelm.Context(evidence, release, Ns), cancel.Token).AsTask();
        var pending = false;
        for (var i = 0; i < 300 && !pending && !run.IsCompleted; i++)
        {
            pending = (await cluster.HistoryAsync(cli, release, Ns))[^1].Status == "pending-rollback";
            if (!pending)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(pending, "helm never started the rollback");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("outcome: Cancelled", evidence.Items[$"helm/{Ns}/{release}/rollback.txt"], StringComparison.Ordinal);

        var retry = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), release, Ns, attempt: 2), CancellationToken.None);

        Assert.False(retry.Succeeded);
        Assert.StartsWith($"release '{release}' in namespace '{Ns}' is pending-rollback at revision 3", retry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_ExplicitRevisionWithForceAndCleanup_RollsBackToIt(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns)).Succeeded);
        Assert.True((await cluster.DeployAsync(cli, "upgrade", release, Ns, "--set", "version=2.0")).Succeeded);
        Assert.True((await cluster.DeployAsync(cli, "upgrade", release, Ns, "--set", "version=3.0")).Succeeded);
        Assert.Equal("3.0", ConfigMapVersion(release));
        var evidence = new RecordingEvidence();

        var result = await RollbackStep(cli, ("revision", "1"), ("force", "true"), ("cleanupOnFail", "true"), ("noHooks", "true"), ("waitStrategy", "legacy"))
            .ExecuteAsync(TestHelm.Context(evidence, release, Ns), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("1.0", ConfigMapVersion(release));
        Assert.Equal("Rollback to 1", (await cluster.HistoryAsync(cli, release, Ns))[^1].Description);
        Assert.Contains(major == "3" ? " --force " : " --force-replace --server-side=false ", evidence.Items[$"helm/{Ns}/{release}/rollback.txt"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_RunTwice_NeverReturnsToTheRevisionItLeft(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns)).Succeeded);
        Assert.True((await cluster.DeployAsync(cli, "upgrade", release, Ns, "--set", "version=2.0-bad")).Succeeded);

        var first = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), release, Ns), CancellationToken.None);
        var second = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), release, Ns), CancellationToken.None);

        Assert.True(first.Succeeded, first.Message);
        Assert.True(second.Succeeded, second.Message);
        // helm's default would go back to revision 2 (the bad one, now "superseded"); the step goes to 1 again.
        Assert.Contains("from revision 3 (deployed) to revision 1", second.Message, StringComparison.Ordinal);
        var history = await cluster.HistoryAsync(cli, release, Ns);
        Assert.Equal(["Rollback to 1", "Rollback to 1"], history.Skip(2).Select(h => h.Description));
        Assert.Equal("1.0", ConfigMapVersion(release));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_OnlyOneRevision_FailsListingTheHistory(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns)).Succeeded);

        var result = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), release, Ns), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal(
            $"no revision of release '{release}' older than the current revision 1 is deployed or superseded; history:\n  revision 1: deployed, chart demo-0.1.0 (app 1.0), \"Install complete\"",
            result.Message);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_ReleaseNotFound_FailsPermanentlyWithHelmsError(string major)
    {
        using var cli = cluster.Cli(major);

        var result = await RollbackStep(cli).ExecuteAsync(TestHelm.Context(new RecordingEvidence(), "never-installed", Ns), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal($"helm history never-installed (namespace {Ns}) failed with exit code 1: Error: release: not found", result.Message);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task StatusAndHistorySteps_RealRelease_RecordEvidenceWithoutValues(string major)
    {
        using var cli = cluster.Cli(major);
        var release = cluster.NewRelease(major);
        Assert.True((await cluster.DeployAsync(cli, "install", release, Ns)).Succeeded);
        Assert.True((await cluster.DeployAsync(cli, "upgrade", release, Ns, "--set", "version=2.0", "--set", "dbPassword=hunter2")).Succeeded);
        var evidence = new RecordingEvidence();
        var context = TestHelm.Context(evidence, release, Ns);

        var status = await new HelmStatusStepFactory(cli).Create(TestHelm.Definition(HelmStepTypes.Status)).ExecuteAsync(context, CancellationToken.None);
        var history = await new HelmHistoryStepFactory(cli).Create(TestHelm.Definition(HelmStepTypes.History)).ExecuteAsync(context, CancellationToken.None);

        Assert.True(status.Succeeded, status.Message);
        Assert.StartsWith($"release '{release}' in namespace '{Ns}' is deployed at revision 2", status.Message, StringComparison.Ordinal);
        Assert.True(history.Succeeded, history.Message);
        Assert.Equal($"release '{release}' in namespace '{Ns}': 2 revision(s); current revision 2 is deployed", history.Message);
        var statusEvidence = evidence.Items[$"helm/{Ns}/{release}/status.json"];
        Assert.DoesNotContain("hunter2", statusEvidence, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"deployed\"", statusEvidence, StringComparison.Ordinal);
        Assert.Equal(2, HelmJson.ParseHistory(evidence.Items[$"helm/{Ns}/{release}/history.json"]).Count);
    }
}
