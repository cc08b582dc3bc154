using RollbackKit.Helm.Internal;

namespace RollbackKit.Helm.Tests.Internal;

public class RevisionSelectorTests
{
    private static HelmRevision R(int revision, string status, string description = "") =>
        new(revision, null, status, $"demo-0.{revision}.0", $"{revision}.0", description);

    [Fact]
    public void Choose_PreviousRevisionFailed_SkipsToNewestGoodOne()
    {
        // helm's own default would be revision 3 (failed).
        var history = new[] { R(1, "superseded"), R(2, "superseded"), R(3, "failed"), R(4, "failed") };

        var choice = RevisionSelector.Choose("web", history, null);

        Assert.Equal(4, choice.CurrentRevision);
        Assert.Equal(2, choice.TargetRevision);
    }

    [Fact]
    public void Choose_CurrentDeployed_PicksPreviousSuperseded()
    {
        var choice = RevisionSelector.Choose("web", [R(1, "superseded"), R(2, "superseded"), R(3, "deployed")], null);

        Assert.Equal(2, choice.TargetRevision);
    }

    [Fact]
    public void Choose_FailedUpgradeKeepsOlderDeployed_PicksDeployed()
    {
        var choice = RevisionSelector.Choose("web", [R(1, "superseded"), R(2, "deployed"), R(3, "failed")], null);

        Assert.Equal(2, choice.TargetRevision);
    }

    [Theory]
    [InlineData("pending-install")]
    [InlineData("pending-upgrade")]
    [InlineData("pending-rollback")]
    [InlineData("uninstalled")]
    [InlineData("uninstalling")]
    [InlineData("unknown")]
    [InlineData("failed")]
    public void Choose_OlderRevisionNotGood_IsSkipped(string status)
    {
        var choice = RevisionSelector.Choose("web", [R(1, "superseded"), R(2, status), R(3, "failed")], null);

        Assert.Equal(1, choice.TargetRevision);
    }

    [Fact]
    public void Choose_StatusCase_IsIgnored()
    {
        var choice = RevisionSelector.Choose("web", [R(1, "Superseded"), R(2, "failed")], null);

        Assert.Equal(1, choice.TargetRevision);
    }

    [Fact]
    public void Choose_NoEarlierGoodRevision_FailsListingHistory()
    {
        var history = new[] { R(1, "failed", "Install failed"), R(2, "pending-upgrade", "Preparing upgrade"), R(3, "deployed", "Upgrade complete") };

        var choice = RevisionSelector.Choose("web", history, null);

        Assert.False(choice.Found);
        Assert.Contains("no revision of release 'web' older than the current revision 3 is deployed or superseded", choice.Error, StringComparison.Ordinal);
        Assert.Contains("revision 1: failed, chart demo-0.1.0 (app 1.0), \"Install failed\"", choice.Error, StringComparison.Ordinal);
        Assert.Contains("revision 2: pending-upgrade, chart demo-0.2.0 (app 2.0), \"Preparing upgrade\"", choice.Error, StringComparison.Ordinal);
        Assert.Contains("revision 3: deployed", choice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_SingleRevision_Fails()
    {
        var choice = RevisionSelector.Choose("web", [R(1, "deployed")], null);

        Assert.False(choice.Found);
        Assert.Equal(1, choice.CurrentRevision);
    }

    [Fact]
    public void Choose_EmptyHistory_Fails()
    {
        var choice = RevisionSelector.Choose("web", [], null);

        Assert.False(choice.Found);
        Assert.Contains("no history", choice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_ExplicitRevision_IsUsedEvenIfFailed()
    {
        var choice = RevisionSelector.Choose("web", [R(1, "superseded"), R(2, "failed"), R(3, "deployed")], 2);

        Assert.Equal(2, choice.TargetRevision);
    }

    [Fact]
    public void Choose_ExplicitRevisionNotInHistory_FailsListingHistory()
    {
        var choice = RevisionSelector.Choose("web", [R(5, "superseded"), R(6, "deployed")], 2);

        Assert.False(choice.Found);
        Assert.Contains("revision 2 of release 'web' is not in its history", choice.Error, StringComparison.Ordinal);
        Assert.Contains("revision 5: superseded", choice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_AfterEarlierRollback_UsesNewestGood()
    {
        // 1 ok, 2 bad (superseded by the rollback), 3 = "Rollback to 1" (superseded), 4 failed upgrade.
        var history = new[] { R(1, "superseded"), R(2, "superseded"), R(3, "deployed", "Rollback to 1"), R(4, "failed") };

        Assert.Equal(3, RevisionSelector.Choose("web", history, null).TargetRevision);
    }

    [Fact]
    public void Choose_CurrentIsRollback_SkipsTheRevisionItRolledBackFrom()
    {
        // 2 was bad and rolled back (3 = "Rollback to 1"); 2 is still "superseded" but must not be chosen again.
        var history = new[] { R(1, "superseded", "Install complete"), R(2, "superseded", "Upgrade complete"), R(3, "deployed", "Rollback to 1") };

        var choice = RevisionSelector.Choose("web", history, null);

        Assert.Equal(1, choice.TargetRevision);
        Assert.Equal([2], RevisionSelector.AbandonedRevisions(history));
    }

    [Fact]
    public void Choose_OnlyAbandonedCandidates_FailsSayingSo()
    {
        var history = new[] { R(1, "failed"), R(2, "superseded"), R(3, "superseded"), R(4, "deployed", "Rollback to 1") };

        var choice = RevisionSelector.Choose("web", history, null);

        Assert.False(choice.Found);
        Assert.Contains("(revisions 2, 3 were rolled back from earlier)", choice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_ExplicitAbandonedRevision_StillHonoured()
    {
        var history = new[] { R(1, "superseded"), R(2, "superseded"), R(3, "deployed", "Rollback to 1") };

        Assert.Equal(2, RevisionSelector.Choose("web", history, 2).TargetRevision);
    }
}
