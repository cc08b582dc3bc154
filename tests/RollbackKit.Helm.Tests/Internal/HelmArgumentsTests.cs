using RollbackKit.Helm.Internal;

namespace RollbackKit.Helm.Tests.Internal;

public class HelmArgumentsTests
{
    private static readonly HelmVersion s_helm3 = new(3, 17, 3);
    private static readonly HelmVersion s_helm4 = new(4, 1, 4);
    private static readonly HelmConnection s_connection = new("shop", "/etc/kube/config", "prod");

    [Fact]
    public void Rollback_Helm3_UsesBooleanWaitAndForce()
    {
        var flags = new HelmRollbackFlags { Wait = true, Timeout = TimeSpan.FromMinutes(5), CleanupOnFail = true, NoHooks = true, Force = true };

        var args = HelmArguments.Rollback("web", 2, flags, s_helm3, s_connection);

        Assert.Equal(
            ["rollback", "web", "2", "--wait", "--timeout", "300s", "--cleanup-on-fail", "--no-hooks", "--force",
             "--namespace", "shop", "--kubeconfig", "/etc/kube/config", "--kube-context", "prod"],
            args);
    }

    [Theory]
    [InlineData("watcher")]
    [InlineData("legacy")]
    public void Rollback_Helm4_UsesWaitStrategyAndForceReplace(string strategy)
    {
        var flags = new HelmRollbackFlags { Wait = true, WaitStrategy = strategy, Timeout = TimeSpan.FromSeconds(90), Force = true };

        var args = HelmArguments.Rollback("web", 7, flags, s_helm4, s_connection);

        Assert.Equal(
            ["rollback", "web", "7", "--wait=" + strategy, "--timeout", "90s", "--force-replace", "--server-side=false",
             "--namespace", "shop", "--kubeconfig", "/etc/kube/config", "--kube-context", "prod"],
            args);
    }

    [Fact]
    public void Rollback_NoWait_OmitsWaitForBothVersions()
    {
        var flags = new HelmRollbackFlags { Wait = false, Timeout = TimeSpan.FromSeconds(30) };
        var connection = new HelmConnection("shop", null, null);

        Assert.Equal(["rollback", "web", "1", "--timeout", "30s", "--namespace", "shop"], HelmArguments.Rollback("web", 1, flags, s_helm3, connection));
        Assert.Equal(["rollback", "web", "1", "--timeout", "30s", "--namespace", "shop"], HelmArguments.Rollback("web", 1, flags, s_helm4, connection));
    }

    [Fact]
    public void HistoryAndStatus_AskForJsonWithExplicitConnection()
    {
        Assert.Equal(
            ["history", "web", "--output", "json", "--max", "256", "--namespace", "shop", "--kubeconfig", "/etc/kube/config", "--kube-context", "prod"],
            HelmArguments.History("web", s_connection));
        Assert.Equal(["status", "web", "--output", "json", "--namespace", "shop"], HelmArguments.Status("web", new HelmConnection("shop", null, null)));
    }

    [Theory]
    [InlineData(300_000, "300s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(1, "1ms")]
    [InlineData(3_600_000, "3600s")]
    public void FormatDuration_GoDurationSyntax(int milliseconds, string expected) =>
        Assert.Equal(expected, HelmArguments.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
}

public class HelmVersionTests
{
    [Theory]
    [InlineData("v3.17.3", 3, 17, 3)]
    [InlineData("v4.1.4+g05fa379", 4, 1, 4)]
    [InlineData("v3.17.3+ge4da497\n", 3, 17, 3)]
    [InlineData("version.BuildInfo{Version:\"v3.2.1\", GitCommit:\"fe51cd1\"}", 3, 2, 1)]
    [InlineData("4.0.0", 4, 0, 0)]
    public void TryParse_KnownFormats_ReadsNumbers(string text, int major, int minor, int patch)
    {
        Assert.True(HelmVersion.TryParse(text, out var version));
        Assert.Equal(new HelmVersion(major, minor, patch), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("helm")]
    [InlineData(null)]
    public void TryParse_NoVersion_ReturnsFalse(string? text) => Assert.False(HelmVersion.TryParse(text, out _));

    [Fact]
    public void IsHelm4OrLater_ByMajor()
    {
        Assert.False(new HelmVersion(3, 99, 0).IsHelm4OrLater);
        Assert.True(new HelmVersion(4, 0, 0).IsHelm4OrLater);
        Assert.True(new HelmVersion(5, 0, 0).IsHelm4OrLater);
    }
}
