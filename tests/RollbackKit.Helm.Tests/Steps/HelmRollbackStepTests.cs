using Microsoft.Extensions.Time.Testing;
using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Tests.Steps;

/// <summary>The rollback step's own logic, driven by a scripted helm (the real binaries run in the end-to-end tests).</summary>
public sealed class HelmRollbackStepTests : IDisposable
{
    private const string HistoryAfter = """[{"revision":1,"status":"superseded"},{"revision":2,"status":"superseded"},{"revision":3,"status":"failed"},{"revision":4,"status":"deployed","description":"Rollback to 2"}]""";

    private readonly TempDirectory _home = new();
    private readonly RecordingEvidence _evidence = new();

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    private (IPlaybookStep Step, HelmCli Cli) Create(FakeHelm fake, params (string, string)[] settings)
    {
        var cli = TestHelm.Cli(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path });
        var factory = new HelmRollbackStepFactory(cli, new HelmMetrics(TestMeters.Factory));
        return (factory.Create(TestHelm.Definition(HelmStepTypes.Rollback, settings)), cli);
    }

    private static List<string[]> Rollbacks(FakeHelm fake) => fake.Calls().Where(c => c[0] == "rollback").ToList();

    [Fact]
    public async Task ExecuteAsync_PreviousRevisionFailed_RollsBackToNewestGoodRevision()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        fake.Write("history-after.json", HistoryAfter);
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(
            "rolled back release 'web' in namespace 'shop' from revision 3 (failed) to revision 2 with helm v3.17.3; revision 4 is deployed",
            result.Message);
        var rollback = Assert.Single(Rollbacks(fake));
        // 90% of the step's 2 minute timeout, below the 5 minute default.
        Assert.Equal(["rollback", "web", "2", "--wait", "--timeout", "108s", "--namespace", "shop"], rollback);
        Assert.Equal(
            ["helm/shop/web/history-after.json", "helm/shop/web/history-before.json", "helm/shop/web/rollback.txt"],
            _evidence.Items.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("$ helm rollback web 2 --wait --timeout 108s --namespace shop", _evidence.Items["helm/shop/web/rollback.txt"], StringComparison.Ordinal);
        Assert.Contains("Happy Helming", _evidence.Items["helm/shop/web/rollback.txt"], StringComparison.Ordinal);
        Assert.Contains("Rollback to 2", _evidence.Items["helm/shop/web/history-after.json"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"revision":2,"updated":"2026-11-21T10:00:00Z","status":"superseded","description":"Upgrade complete"},{"revision":3,"updated":"2026-11-22T10:00:00Z","status":"failed","description":"Upgrade failed"}]""", StepEffect.NotApplied)]
    [InlineData("""[{"revision":3,"updated":"2026-11-22T10:00:00Z","status":"superseded","description":"Upgrade failed"},{"revision":4,"updated":"2026-11-25T12:00:05Z","status":"deployed","description":"Rollback to 2"}]""", StepEffect.Applied)]
    [InlineData("""[{"revision":3,"updated":"2026-11-22T10:00:00Z","status":"failed","description":"Upgrade failed"},{"revision":4,"updated":"2026-11-25T12:00:05Z","status":"pending-rollback","description":"Rollback to 2"}]""", StepEffect.Unknown)]
    [InlineData("""[{"revision":3,"updated":"2026-11-22T10:00:00Z","status":"failed","description":"Upgrade failed"},{"revision":4,"updated":"2026-11-25T12:00:05Z","status":"deployed","description":"Upgrade complete"}]""", StepEffect.Unknown)]
    public async Task ProbeEffectAsync_ComparesCurrentRevisionWithRequestTime(string history, StepEffect expected)
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", history);
        var (step, _) = Create(fake);
        var probe = Assert.IsAssignableFrom<IStepEffectProbe>(step);
        var context = TestHelm.Context(_evidence);
        context = new PlaybookStepContext(
            context.RollbackId,
            new RollbackRequest { Target = context.Target, TriggerType = RollbackTriggerType.Manual, Reason = "test", RequestedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero) },
            _evidence,
            context.Services,
            TimeProvider.System);

        Assert.Equal(expected, await probe.ProbeEffectAsync(context, CancellationToken.None));
        Assert.Empty(Rollbacks(fake));
    }

    [Fact]
    public async Task ExecuteAsync_Helm4_UsesWaitStrategyAndForceReplace()
    {
        using var fake = FakeHelm.Scripted("v4.1.4+g05fa379");
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        var (step, _) = Create(fake, ("force", "true"), ("cleanupOnFail", "true"), ("noHooks", "true"), ("timeout", "45s"));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(
            ["rollback", "web", "2", "--wait=watcher", "--timeout", "45s", "--cleanup-on-fail", "--no-hooks", "--force-replace", "--server-side=false", "--namespace", "shop"],
            Assert.Single(Rollbacks(fake)));
    }

    [Fact]
    public async Task ExecuteAsync_Helm4LegacyWait_PassesStrategy()
    {
        using var fake = FakeHelm.Scripted("v4.1.4");
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        var (step, _) = Create(fake, ("waitStrategy", "legacy"));

        await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.Contains("--wait=legacy", Assert.Single(Rollbacks(fake)));
    }

    [Fact]
    public async Task ExecuteAsync_PendingUpgrade_RefusesWithoutRollingBack()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-pending-upgrade.json"));
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith(
            "release 'web' in namespace 'shop' is pending-upgrade at revision 3: another helm operation is in flight",
            result.Message,
            StringComparison.Ordinal);
        Assert.Contains("allowPending", result.Message, StringComparison.Ordinal);
        Assert.Empty(Rollbacks(fake));
        Assert.True(_evidence.Items.ContainsKey("helm/shop/web/history-before.json"));
    }

    [Fact]
    public async Task ExecuteAsync_PendingWithAllowPending_RollsBack()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-pending-upgrade.json"));
        var (step, _) = Create(fake, ("allowPending", "true"));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("2", Assert.Single(Rollbacks(fake))[2]);
    }

    [Fact]
    public async Task ExecuteAsync_NoEarlierGoodRevision_FailsListingRedactedHistory()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-no-good.json"));
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Contains("no revision of release 'web' older than the current revision 2 is deployed or superseded", result.Message, StringComparison.Ordinal);
        Assert.Contains("revision 1: failed, chart demo-0.1.0 (app 1.0), \"Release \"web\" failed: timed out waiting for the condition\"", result.Message, StringComparison.Ordinal);
        Assert.Contains("token=***", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", _evidence.Items["helm/shop/web/history-before.json"], StringComparison.Ordinal);
        Assert.Empty(Rollbacks(fake));
    }

    [Fact]
    public async Task ExecuteAsync_ExplicitRevision_Used()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        var (step, _) = Create(fake, ("revision", "1"));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("1", Assert.Single(Rollbacks(fake))[2]);
    }

    [Fact]
    public async Task ExecuteAsync_HistoryNotFound_FailsPermanentlyWithHelmError()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history-exit", "1");
        fake.Write("history-stderr", "Error: release: not found\n");
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("helm history web (namespace shop) failed with exit code 1: Error: release: not found", result.Message);
        Assert.Contains("Error: release: not found", _evidence.Items["helm/shop/web/history-before.txt"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_RollbackExitsNonZero_FailsWithRedactedStderr()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        fake.Write("rollback-exit", "1");
        fake.Write("rollback-stderr", "Error: failed to replace object: Secret \"db\" is invalid: password=hunter2\n");
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.StartsWith("helm rollback web 2 (namespace shop, helm v3.17.3) failed with exit code 1: Error: failed to replace object", result.Message, StringComparison.Ordinal);
        Assert.Contains("password=***", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", _evidence.Items["helm/shop/web/rollback.txt"], StringComparison.Ordinal);
        Assert.Contains("exit code: 1", _evidence.Items["helm/shop/web/rollback.txt"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_SettingsOverrideLabels_AndNamespaceDefaults()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        var (step, _) = Create(fake, ("release", "api"));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence, release: "web", ns: null), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        var history = fake.Calls().First(c => c[0] == "history");
        Assert.Equal(["history", "api", "--output", "json", "--max", "256", "--namespace", "default"], history);
        Assert.True(_evidence.Items.ContainsKey("helm/default/api/rollback.txt"));
    }

    [Fact]
    public async Task ExecuteAsync_TargetWithoutNameLabel_FailsPermanently()
    {
        using var fake = FakeHelm.Scripted();
        var (step, _) = Create(fake);
        var context = TestHelm.Context(_evidence);
        var unnamed = new PlaybookStepContext(
            "rb-2",
            new RollbackRequest { Target = new RollbackTarget("shop/web"), TriggerType = RollbackTriggerType.Manual, Reason = "x" },
            _evidence,
            context.Services,
            TimeProvider.System);

        var result = await step.ExecuteAsync(unnamed, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("no helm release for target 'shop/web': set Settings:release or give the target a 'name' label", result.Message);
        Assert.Empty(fake.Calls());
    }

    [Fact]
    public async Task ExecuteAsync_InvalidReleaseLabel_NeverReachesHelm()
    {
        using var fake = FakeHelm.Scripted();
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence, release: "--kubeconfig=/tmp/evil"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("is not a valid helm release name", result.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Calls());
    }

    [Fact]
    public async Task ExecuteAsync_TwoRuns_DetectVersionOnceAndSetHelmHomes()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        var (step, _) = Create(fake);

        await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);
        await step.ExecuteAsync(TestHelm.Context(_evidence, attempt: 2), CancellationToken.None);

        var versionCall = Assert.Single(fake.Calls(), c => c[0] == "version");
        Assert.Equal(["version", "--template", "{{.Version}}"], versionCall);
        Assert.Equal(2, Rollbacks(fake).Count);
        Assert.True(_evidence.Items.ContainsKey("helm/shop/web/rollback-attempt2.txt"));
        Assert.Equal(
            $"HELM_CACHE_HOME={_home.Path}/cache\nHELM_CONFIG_HOME={_home.Path}/config\nHELM_DATA_HOME={_home.Path}/data\n",
            fake.Read("env.log"));
        Assert.True(Directory.Exists(Path.Combine(_home.Path, "cache")));
    }

    [Fact]
    public async Task ExecuteAsync_Helm2_FailsAsUnsupported()
    {
        using var fake = FakeHelm.Scripted("v2.17.0");
        var (step, _) = Create(fake);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Contains("helm v2.17.0", result.Message, StringComparison.Ordinal);
        Assert.Contains("is not supported; use helm 3 or helm 4", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_VersionTemplateUnsupported_FallsBackToShort()
    {
        using var fake = FakeHelm.WithBody("""
            if [ "$2" = "--template" ]; then echo 'Error: unknown flag: --template' >&2; exit 1; fi
            if [ "$2" = "--short" ]; then echo 'v3.9.0+g7ceeda6'; exit 0; fi
            exit 1
            """);
        var cli = TestHelm.Cli(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path });

        Assert.Equal(new HelmVersion(3, 9, 0), await cli.GetVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ExecuteAsync_HelmMissingAtRunTime_FailsNamingKey()
    {
        var cli = TestHelm.Cli(new HelmOptions { HelmPath = "/no/such/helm", HomeDirectory = _home.Path });
        var step = new HelmRollbackStepFactory(cli, new HelmMetrics(TestMeters.Factory)).Create(TestHelm.Definition(HelmStepTypes.Rollback));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("RollbackKit:Helm:HelmPath: helm binary not found at '/no/such/helm'", result.Message);
    }

    [Fact]
    public async Task ExecuteAsync_RollbackOutlivesTimeout_KillsProcessTreeAndFails()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        fake.Write("rollback-sleep", "1");
        var time = new FakeTimeProvider();
        var cli = TestHelm.Cli(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path, KillGracePeriod = TimeSpan.FromSeconds(2) }, time);
        var step = new HelmRollbackStepFactory(cli, new HelmMetrics(TestMeters.Factory)).Create(TestHelm.Definition(HelmStepTypes.Rollback, ("timeout", "10s")));

        var run = step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None).AsTask();
        Assert.True(await TestHelm.PollAsync(() => fake.Exists("rollback-child.pid") && fake.Read("rollback-child.pid").Trim().Length > 0, TimeSpan.FromSeconds(30)));
        var child = int.Parse(fake.Read("rollback-child.pid").Trim());
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.StartsWith("helm rollback web 2 (namespace shop, helm v3.17.3) timed out after 12s; its process tree was killed. Output: waiting for resources", result.Message, StringComparison.Ordinal);
        Assert.Contains("outcome: TimedOut", _evidence.Items["helm/shop/web/rollback.txt"], StringComparison.Ordinal);
        Assert.True(await TestHelm.PollAsync(() => !TestHelm.IsAlive(child), TimeSpan.FromSeconds(30)), "helm's child process survived");
    }

    [Fact]
    public async Task ExecuteAsync_CancelledDuringRollback_KillsProcessTreeAndThrows()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        fake.Write("rollback-sleep", "1");
        var (step, _) = Create(fake);
        using var cts = new CancellationTokenSource();

        var run = step.ExecuteAsync(TestHelm.Context(_evidence), cts.Token).AsTask();
        Assert.True(await TestHelm.PollAsync(() => fake.Exists("rollback-child.pid") && fake.Read("rollback-child.pid").Trim().Length > 0, TimeSpan.FromSeconds(30)));
        var child = int.Parse(fake.Read("rollback-child.pid").Trim());
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("outcome: Cancelled", _evidence.Items["helm/shop/web/rollback.txt"], StringComparison.Ordinal);
        Assert.True(await TestHelm.PollAsync(() => !TestHelm.IsAlive(child), TimeSpan.FromSeconds(30)), "helm's child process survived");
    }

    [Fact]
    public void BuildFlags_DefaultTimeout_IsOptionsTimeoutCappedAt90PercentOfStep()
    {
        using var fake = FakeHelm.Scripted();
        var cli = TestHelm.Cli(new HelmOptions { HelmPath = fake.Path });
        var factory = new HelmRollbackStepFactory(cli, new HelmMetrics(TestMeters.Factory));
        var longStep = (HelmRollbackStep)factory.Create(new PlaybookStepDefinition { Type = HelmStepTypes.Rollback, Timeout = TimeSpan.FromMinutes(30) });
        var shortStep = (HelmRollbackStep)factory.Create(new PlaybookStepDefinition { Type = HelmStepTypes.Rollback, Timeout = TimeSpan.FromSeconds(60) });

        Assert.Equal(TimeSpan.FromMinutes(5), longStep.BuildFlags(cli.Options).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(54), shortStep.BuildFlags(cli.Options).Timeout);
        Assert.Equal("watcher", longStep.BuildFlags(cli.Options).WaitStrategy);
        Assert.Equal("legacy", longStep.BuildFlags(new HelmOptions { WaitStrategy = "legacy" }).WaitStrategy);
    }

    public void Dispose() => _home.Dispose();
}
