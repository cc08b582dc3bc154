using RollbackKit.Helm.Internal;

namespace RollbackKit.Helm.Tests.Internal;

/// <summary>
/// Parsing of output recorded from the real helm 3.17.3 and 4.1.4 binaries against the Kubernetes API emulator
/// (TestData/recorded): install, upgrade, an upgrade the cluster refused (failed), a rollback, and an upgrade killed
/// while waiting (pending-upgrade).
/// </summary>
public class RecordedOutputTests
{
    private static string Recorded(string major, string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "recorded", $"helm{major}-{name}.json"));

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public void History_FailedUpgrade_ChoosesLastDeployed(string major)
    {
        var history = HelmJson.ParseHistory(Recorded(major, "history-failed"));

        Assert.Equal(["superseded", "deployed", "failed"], history.Select(h => h.Status));
        Assert.All(history, h => Assert.Equal("demo-0.1.0", h.Chart));
        Assert.All(history, h => Assert.NotNull(h.Updated));
        Assert.Contains("is forbidden", history[2].Description, StringComparison.Ordinal);
        Assert.Equal(2, RevisionSelector.Choose("demo", history, null).TargetRevision);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public void History_RolledBack_NewRevisionDeployedWithRollbackDescription(string major)
    {
        var history = HelmJson.ParseHistory(Recorded(major, "history-rolled-back"));

        var newest = history[^1];
        Assert.Equal(4, newest.Revision);
        Assert.Equal("deployed", newest.Status);
        Assert.Equal("Rollback to 2", newest.Description);
        Assert.Equal("failed", history[2].Status);
        // Rolling back again would skip the failed revision 3 and pick the superseded 2.
        Assert.Equal(2, RevisionSelector.Choose("demo", history, null).TargetRevision);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public void History_Pending_CurrentIsPendingUpgrade(string major)
    {
        var history = HelmJson.ParseHistory(Recorded(major, "history-pending"));

        Assert.Equal("pending-upgrade", history[^1].Status);
        Assert.True(RevisionSelector.IsPending(history[^1].Status));
        Assert.Equal("Preparing upgrade", history[^1].Description);
        Assert.Equal(1, RevisionSelector.Choose("pend", history, null).TargetRevision);
    }

    [Theory]
    [InlineData("3", "status-deployed", 4, "deployed", "Rollback to 2")]
    [InlineData("4", "status-deployed", 4, "deployed", "Rollback to 2")]
    [InlineData("3", "status-failed", 3, "failed", "Upgrade \"demo3\" failed")]
    [InlineData("4", "status-failed", 3, "failed", "Upgrade \"demo4\" failed")]
    [InlineData("3", "status-pending", 2, "pending-upgrade", "Preparing upgrade")]
    [InlineData("4", "status-pending", 2, "pending-upgrade", "Preparing upgrade")]
    public void Status_Recorded_ParsesRevisionAndStatus(string major, string file, int revision, string status, string description)
    {
        var parsed = HelmJson.ParseStatus(Recorded(major, file));

        Assert.Equal(revision, parsed.Revision);
        Assert.Equal(status, parsed.Status);
        Assert.StartsWith(description, parsed.Description, StringComparison.Ordinal);
        Assert.Equal("shop", parsed.Namespace);
        Assert.NotNull(parsed.LastDeployed);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4")]
    public void Status_TrimmedForEvidence_DropsValuesManifestAndLiveObjects(string major)
    {
        var trimmed = HelmJson.TrimStatusForEvidence(Recorded(major, "status-failed"));

        Assert.DoesNotContain("3.0-broken", trimmed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"data\"", trimmed, StringComparison.Ordinal);
        Assert.Equal("failed", HelmJson.ParseStatus(trimmed).Status);
        if (major == "4")
        {
            var resources = System.Text.Json.Nodes.JsonNode.Parse(trimmed)!["info"]!["resources"]!;
            Assert.Equal("demo4-config", resources["v1/ConfigMap"]![0]!.GetValue<string>());
        }
    }
}
