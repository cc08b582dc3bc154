using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;

namespace RollbackKit.Helm.Tests.Internal;

/// <summary>Version detection, flags and error paths with the real helm 3 and helm 4 binaries (no cluster needed).</summary>
public sealed class RealHelmBinaryTests : IDisposable
{
    private readonly UnreachableCluster _cluster = new();

    private HelmCli Cli(string major, string? context = null) => TestHelm.Cli(new HelmOptions
    {
        HelmPath = HelmBinaries.Path(major),
        HomeDirectory = _cluster.Home,
        KubeConfig = _cluster.KubeConfig,
        KubeContext = context,
    });

    [Theory]
    [InlineData("3", 3, 17, 3)]
    [InlineData("4", 4, 1, 4)]
    public async Task GetVersionAsync_RealBinary_DetectsVersion(string major, int expectedMajor, int minor, int patch)
    {
        using var cli = Cli(major);

        var version = await cli.GetVersionAsync(CancellationToken.None);

        Assert.Equal(new HelmVersion(expectedMajor, minor, patch), version);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task Rollback_EveryFlagWeEmit_AcceptedByRealBinary(string major)
    {
        using var cli = Cli(major);
        var version = await cli.GetVersionAsync(CancellationToken.None);
        var flags = new HelmRollbackFlags { Wait = true, WaitStrategy = "legacy", Timeout = TimeSpan.FromMilliseconds(1500), CleanupOnFail = true, NoHooks = true, Force = true };
        var args = HelmArguments.Rollback("web", 2, flags, version, new HelmConnection("shop", _cluster.KubeConfig, "closed"));

        var result = await cli.RunAsync(args, TimeSpan.FromSeconds(60), CancellationToken.None);

        // Flags are parsed before helm connects: reaching the (closed) cluster proves every flag was accepted.
        Assert.Equal(1, result.Process.ExitCode);
        Assert.DoesNotContain("unknown flag", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("invalid argument", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("cluster unreachable", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("127.0.0.1:1", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task Rollback_OtherMajorsFlags_RejectedOrDeprecated(string major)
    {
        using var cli = Cli(major);
        string[] args = major == "3"
            ? ["rollback", "web", "2", "--wait=watcher", "--kubeconfig", _cluster.KubeConfig]
            : ["rollback", "web", "2", "--force", "--kubeconfig", _cluster.KubeConfig];

        var result = await cli.RunAsync(args, TimeSpan.FromSeconds(60), CancellationToken.None);

        // helm 3's --wait is boolean; helm 4 deprecates --force in favour of --force-replace (which we emit).
        Assert.Equal(1, result.Process.ExitCode);
        Assert.Contains(
            major == "3" ? "invalid argument \"watcher\" for \"--wait\"" : "Flag --force has been deprecated, use --force-replace",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task RollbackStep_UnreachableCluster_FailsWithHelmErrorText(string major)
    {
        using var cli = Cli(major, context: "closed");
        var evidence = new RecordingEvidence();
        var step = new HelmRollbackStepFactory(cli, new HelmMetrics(TestMeters.Factory)).Create(TestHelm.Definition(HelmStepTypes.Rollback));

        var result = await step.ExecuteAsync(TestHelm.Context(evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.StartsWith("helm history web (namespace shop) failed with exit code 1: Error: ", result.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", result.Message, StringComparison.Ordinal);
        var record = evidence.Items["helm/shop/web/history-before.txt"];
        Assert.Contains($"$ helm history web --output json --max 256 --namespace shop --kubeconfig {_cluster.KubeConfig} --kube-context closed", record, StringComparison.Ordinal);
        Assert.Contains("connection refused", record, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_cluster.Home, "cache")));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public async Task StatusStep_UnknownKubeContext_FailsNamingTheContext(string major)
    {
        using var cli = Cli(major, context: "no-such-context");
        var step = new HelmStatusStepFactory(cli).Create(TestHelm.Definition(HelmStepTypes.Status));

        var result = await step.ExecuteAsync(TestHelm.Context(new RecordingEvidence()), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("no-such-context", result.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _cluster.Dispose();
}
