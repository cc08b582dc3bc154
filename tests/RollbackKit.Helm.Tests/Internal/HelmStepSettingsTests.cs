using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Tests.Internal;

public class HelmStepSettingsTests
{
    private static HelmStepSettings Parse(params (string, string)[] settings) =>
        HelmStepSettings.Parse(TestHelm.Definition(HelmStepTypes.Rollback, settings), HelmStepSettings.RollbackKeys);

    [Fact]
    public void Parse_Defaults_WaitOnlyTrue()
    {
        var settings = Parse();

        Assert.True(settings.Wait);
        Assert.False(settings.CleanupOnFail);
        Assert.False(settings.NoHooks);
        Assert.False(settings.Force);
        Assert.False(settings.AllowPending);
        Assert.Null(settings.Revision);
        Assert.Null(settings.Release);
        Assert.Null(settings.Timeout);
    }

    [Fact]
    public void Parse_AllSettings_Read()
    {
        var settings = Parse(
            ("release", "web"), ("namespace", "shop"), ("revision", "4"), ("wait", "false"), ("waitStrategy", "legacy"),
            ("timeout", "90s"), ("cleanupOnFail", "true"), ("noHooks", "True"), ("force", "true"), ("allowPending", "true"), ("kubeContext", "prod"));

        Assert.Equal("web", settings.Release);
        Assert.Equal("shop", settings.Namespace);
        Assert.Equal(4, settings.Revision);
        Assert.False(settings.Wait);
        Assert.Equal("legacy", settings.WaitStrategy);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Timeout);
        Assert.True(settings.CleanupOnFail);
        Assert.True(settings.NoHooks);
        Assert.True(settings.Force);
        Assert.True(settings.AllowPending);
        Assert.Equal("prod", settings.KubeContext);
    }

    [Theory]
    [InlineData("web\n")]
    [InlineData("web\r\n")]
    [InlineData("\nweb")]
    public void IsValidName_LineBreakAroundName_Refused(string name)
    {
        // A release name from a target label is not trimmed: '$' in the pattern matched before a final newline.
        Assert.False(HelmStepSettings.IsValidName(name, 53));
    }

    [Theory]
    [InlineData("wait", "yes", "Settings:wait: must be true or false, got 'yes'")]
    [InlineData("revision", "0", "Settings:revision: must be a positive revision number, got '0'")]
    [InlineData("revision", "two", "Settings:revision: must be a positive revision number")]
    [InlineData("release", "Web_App", "Settings:release: 'Web_App' is not a valid helm release name")]
    [InlineData("release", "--kubeconfig=/tmp/x", "Settings:release:")]
    [InlineData("namespace", "Shop", "Settings:namespace: 'Shop' is not a valid namespace")]
    [InlineData("waitStrategy", "hookOnly", "Settings:waitStrategy: must be 'watcher' or 'legacy'")]
    [InlineData("timeout", "soon", "Settings:timeout: must be a positive duration")]
    [InlineData("timeout", "00:02:00", "Settings:timeout: helm's timeout (00:02:00) must be shorter than the step's Timeout (00:02:00)")]
    [InlineData("kubeconfig", "/no/such/kubeconfig", "Settings:kubeconfig: kubeconfig file not found at '/no/such/kubeconfig'")]
    [InlineData("relase", "web", "Settings:relase: unknown setting for helm.rollback; known settings: release, namespace")]
    public void Parse_Invalid_ThrowsNamingSetting(string key, string value, string expected)
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => Parse((key, value)));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(key, ex.Setting);
    }

    [Fact]
    public void Parse_RollbackOnlySettingOnHistoryStep_IsUnknown()
    {
        var definition = TestHelm.Definition(HelmStepTypes.History, ("revision", "2"));

        var ex = Assert.Throws<PlaybookConfigurationException>(() => HelmStepSettings.Parse(definition, HelmStepSettings.CommonKeys));

        Assert.Contains("unknown setting for helm.history", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("00:01:30", 90_000)]
    public void Parse_TimeoutForms_ReadLikeEveryOtherDuration(string text, int milliseconds)
    {
        var definition = TestHelm.Definition(HelmStepTypes.Rollback, ("timeout", text));
        definition.Timeout = TimeSpan.FromDays(2);

        var settings = HelmStepSettings.Parse(definition, HelmStepSettings.RollbackKeys);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), settings.Timeout);
    }

    [Theory]
    [InlineData("5x")]
    [InlineData("-30s")]
    [InlineData("0s")]
    public void Parse_TimeoutNotAPositiveDuration_NamesSettingAndValue(string text)
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => Parse(("timeout", text)));

        Assert.Equal("timeout", ex.Setting);
        Assert.StartsWith("Settings:timeout: must be a positive duration", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"got '{text}'", ex.Message, StringComparison.Ordinal);
    }
}
