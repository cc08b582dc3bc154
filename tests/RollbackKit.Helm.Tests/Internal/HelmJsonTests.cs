using RollbackKit.Helm.Internal;

namespace RollbackKit.Helm.Tests.Internal;

public class HelmJsonTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    [Fact]
    public void ParseHistory_FailedUpgrade_ReadsEveryField()
    {
        var history = HelmJson.ParseHistory(Fixture("handwritten/history-failed-upgrade.json"));

        Assert.Equal([1, 2, 3], history.Select(h => h.Revision));
        Assert.Equal(["superseded", "deployed", "failed"], history.Select(h => h.Status));
        Assert.Equal("demo-0.3.0", history[2].Chart);
        Assert.Equal("3.0", history[2].AppVersion);
        Assert.Equal("Upgrade \"web\" failed: context deadline exceeded", history[2].Description);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddTicks(1234568), history[0].Updated);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, 500, TimeSpan.FromHours(1)), history[2].Updated);
    }

    [Fact]
    public void ParseHistory_Unordered_SortsByRevision()
    {
        var history = HelmJson.ParseHistory("""[{"revision":3,"status":"failed"},{"revision":1,"status":"superseded"},{"revision":"2","status":"deployed"}]""");

        Assert.Equal([1, 2, 3], history.Select(h => h.Revision));
        Assert.Null(history[0].Updated);
        Assert.Equal(string.Empty, history[0].Chart);
    }

    [Fact]
    public void ParseHistory_ZeroTime_IsNull()
    {
        var history = HelmJson.ParseHistory("""[{"revision":1,"updated":"0001-01-01T00:00:00Z","status":"deployed"}]""");

        Assert.Null(history[0].Updated);
    }

    [Theory]
    [InlineData("", "empty output")]
    [InlineData("Error: release: not found", "not valid JSON")]
    [InlineData("{\"revision\":1}", "expected a JSON array")]
    [InlineData("[1,2]", "expected objects")]
    [InlineData("[{\"status\":\"deployed\"}]", "no numeric 'revision'")]
    public void ParseHistory_Malformed_ThrowsHelmOutputException(string json, string expected)
    {
        var ex = Assert.Throws<HelmOutputException>(() => HelmJson.ParseHistory(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseStatus_Deployed_ReadsReleaseFields()
    {
        var status = HelmJson.ParseStatus(Fixture("handwritten/status-deployed.json"));

        Assert.Equal("web", status.Name);
        Assert.Equal("shop", status.Namespace);
        Assert.Equal(2, status.Revision);
        Assert.Equal("deployed", status.Status);
        Assert.Equal("Upgrade complete", status.Description);
        Assert.Equal("demo", status.ChartName);
        Assert.Equal("0.2.0", status.ChartVersion);
        Assert.Equal("2.0", status.AppVersion);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), status.LastDeployed);
    }

    [Theory]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"name\":\"web\",\"info\":{\"status\":\"deployed\"}}", "no numeric 'version'")]
    [InlineData("{\"name\":\"web\",\"version\":1}", "no 'info.status'")]
    public void ParseStatus_Malformed_ThrowsHelmOutputException(string json, string expected)
    {
        var ex = Assert.Throws<HelmOutputException>(() => HelmJson.ParseStatus(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrimStatusForEvidence_RemovesValuesManifestsAndHooks()
    {
        var trimmed = HelmJson.TrimStatusForEvidence(Fixture("handwritten/status-deployed.json"));

        Assert.DoesNotContain("hunter2", trimmed, StringComparison.Ordinal);
        Assert.DoesNotContain("chart-default-secret", trimmed, StringComparison.Ordinal);
        Assert.DoesNotContain("YXBpVmVyc2lvbjogdjE=", trimmed, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"deployed\"", trimmed, StringComparison.Ordinal);
        Assert.Contains("\"appVersion\": \"2.0\"", trimmed, StringComparison.Ordinal);
        // Still parses as a status.
        Assert.Equal(2, HelmJson.ParseStatus(trimmed).Revision);
    }

    [Fact]
    public void TrimStatusForEvidence_NotJson_ReturnsPlaceholder()
    {
        Assert.StartsWith("[helm status output is not JSON", HelmJson.TrimStatusForEvidence("password=hunter2"), StringComparison.Ordinal);
    }
}
