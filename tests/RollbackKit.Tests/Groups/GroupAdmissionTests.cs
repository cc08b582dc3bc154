using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Operations;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Groups;

/// <summary>
/// The kill switches, the point of no return and the limits are decided for the group as a whole: an automatic request on one member
/// never rolls back a member an operator froze or one past its point of no return; a person's request overrides both, as for a target.
/// </summary>
public sealed class GroupAdmissionTests
{
    private static Task TurnOffAsync(WorkflowHarness h, string target, string by, string reason) =>
        h.Services.GetRequiredService<IOperatorConsole>()
            .SetAutoRollbackAsync(new AutoRollbackChange { Target = target, Enabled = false, Reason = reason }, by).AsTask();

    [Fact]
    public async Task DispatchAsync_AutomaticOnMemberWhileSiblingSwitchedOff_AlertNamesSiblingAndWhoNothingRuns()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        await TurnOffAsync(h, "db", "alice", "schema migration in progress");

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));

        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("Automatic rollback is disabled for db", result.Message, StringComparison.Ordinal);
        Assert.Contains("group stack", result.Message, StringComparison.Ordinal);
        Assert.Contains("web", result.Message, StringComparison.Ordinal);
        Assert.Contains("turned off by alice", result.Message, StringComparison.Ordinal);
        Assert.Contains("schema migration in progress", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
        var entries = await h.Journal.ReadAsync();
        Assert.DoesNotContain(entries, e => e.Kind == JournalEntryKind.Requested);
        Assert.Contains(entries, e => e.Kind == JournalEntryKind.Alert && e.Message == result.Message);
    }

    [Fact]
    public async Task DispatchAsync_AutomaticOnMemberWhileSiblingConfiguredOff_AlertSaysItIsTheConfiguration()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, o => o.Targets.Single(t => t.Id == "db").AutoRollback = false);

        var result = await h.Dispatcher.DispatchAsync(h.Request("app"));

        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("Automatic rollback is disabled for db (kill switch), a member of group stack", result.Message, StringComparison.Ordinal);
        Assert.Contains("off in configuration: AutoRollback is false", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task DispatchAsync_AutomaticOnMemberWhileGroupSwitchedOff_Alert()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        h.Controller.SetAutoRollback(GroupHarness.GroupId, false);

        var result = await h.Dispatcher.DispatchAsync(h.Request("app"));

        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("Automatic rollback is disabled for group stack", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task DispatchAsync_GlobalSwitchOff_AutomaticOnMemberAlerts()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        h.Controller.SetAutoRollback(false);

        var result = await h.Dispatcher.DispatchAsync(h.Request("app"));

        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task RollbackAsync_ManualOnMemberWhileSiblingSwitchedOff_RollsTheGroupBackAndSaysWhatItOverrides()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        var runs = GroupHarness.Record(h);
        await TurnOffAsync(h, "db", "alice", "schema migration in progress");

        var result = await h.Controller.RollbackAsync("web", "web is down", "bob");
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(DispatchStatus.Started, result.Status);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal("web,app,db", string.Join(',', runs));
        Assert.Contains("automatic rollback of db is off", result.Message, StringComparison.Ordinal);
        Assert.Contains("turned off by alice", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_AutomaticOnMemberWhileSiblingPastPointOfNoReturn_AlertNamesSiblingNothingRuns()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, o => o.Workflow.PointOfNoReturnTargets.Add("db"));

        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));

        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("db is past its point of no return", result.Message, StringComparison.Ordinal);
        Assert.Contains("group stack", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task DispatchAsync_AutomaticOnGroupIdWhileMemberMarkedPastPointOfNoReturn_Alert()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);
        h.Controller.SetPointOfNoReturn("app", true);

        var result = await h.Dispatcher.DispatchAsync(h.Request(GroupHarness.GroupId));

        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("app is past its point of no return", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task RollbackAsync_ManualWhileMemberPastPointOfNoReturn_RollsBackAndSaysSo()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, o => o.Workflow.PointOfNoReturnTargets.Add("db"));

        var result = await h.Controller.RollbackAsync("app", "app is down", "bob");
        var status = await h.WaitAsync(result.RollbackId);

        Assert.Equal(DispatchStatus.Started, result.Status);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(3, h.StepRuns);
        Assert.Contains("db is past its point of no return", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_AutomaticOnOtherMemberWithinCooldown_RefusedNamingTheGroupAndItsRun()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10));
        var first = await h.Dispatcher.DispatchAsync(h.Request("app"));
        await h.WaitAsync(first.RollbackId);
        h.Time.Advance(TimeSpan.FromMinutes(2));

        var again = await h.Dispatcher.DispatchAsync(h.Request("db"));

        Assert.Equal(DispatchStatus.Refused, again.Status);
        Assert.Equal(first.RollbackId, again.RollbackId);
        Assert.Contains($"group stack (db is a member) was rolled back 2 min 0 s ago by run {first.RollbackId}", again.Message, StringComparison.Ordinal);
        Assert.Equal(3, h.StepRuns);
    }

    [Fact]
    public async Task DispatchAsync_AttemptsAcrossMembers_CountForTheGroup()
    {
        await using var h = GroupHarness.Create(
            RollbackGroupOrder.Reverse,
            o =>
            {
                o.Workflow.Cooldown = TimeSpan.FromMinutes(1);
                o.Workflow.MaxAttemptsPerTarget = 1;
            });
        var first = await h.Dispatcher.DispatchAsync(h.Request("app"));
        await h.WaitAsync(first.RollbackId);
        h.Time.Advance(TimeSpan.FromMinutes(5));

        var again = await h.Dispatcher.DispatchAsync(h.Request("web"));

        Assert.Equal(DispatchStatus.Refused, again.Status);
        Assert.Contains("group stack (web is a member) already had 1 automatic rollbacks", again.Message, StringComparison.Ordinal);
        Assert.Equal(3, h.StepRuns);
    }

    [Fact]
    public async Task ResetAttempts_BeforeTheJournalIsFirstRead_HoldsAgainstTheGroupsEarlierRollback()
    {
        var dir = Directory.CreateTempSubdirectory("rollbackkit-group-reset-").FullName;
        try
        {
            var journal = Path.Combine(dir, "journal.jsonl");
            string? firstId;
            await using (var before = GroupHarness.Create(RollbackGroupOrder.Reverse, o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10), journalPath: journal))
            {
                var first = await before.Dispatcher.DispatchAsync(before.Request("app"));
                firstId = first.RollbackId;
                await before.WaitAsync(firstId);
            }

            // A restarted process: the operator resets the group (through a member) before any request reads the journal.
            await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10), journalPath: journal);
            h.Controller.ResetAttempts("db");
            var again = await h.Dispatcher.DispatchAsync(h.Request("web"));

            Assert.Equal(DispatchStatus.Started, again.Status);
            Assert.NotEqual(firstId, again.RollbackId);
            Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(again.RollbackId)).State);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task OperatorConsole_KillSwitchOnGroupId_IsJournaledAndAutomaticRequestOnAMemberAlerts()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);

        var state = await h.Services.GetRequiredService<IOperatorConsole>()
            .SetAutoRollbackAsync(new AutoRollbackChange { Target = GroupHarness.GroupId, Enabled = false, Reason = "freeze for the launch" }, "alice");
        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));

        Assert.False(state.TargetOverrides[GroupHarness.GroupId]);
        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("Automatic rollback is disabled for group stack", result.Message, StringComparison.Ordinal);
        Assert.Contains("freeze for the launch", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);
        Assert.Contains(await h.Journal.ReadAsync(), e => e.Kind == JournalEntryKind.AutoRollbackChanged && e.TargetId == GroupHarness.GroupId);
    }

    [Fact]
    public async Task OperatorConsole_ManualRollbackOnGroupId_RollsEveryMemberBackInOneRun()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);

        var response = await h.Services.GetRequiredService<IOperatorConsole>()
            .RollbackAsync(new ManualRollbackRequest { Target = GroupHarness.GroupId, Reason = "bad release train" }, "bob");

        Assert.False(response.Joined);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(response.RollbackId)).State);
        Assert.Equal(3, h.StepRuns);
        Assert.Single(await h.Journal.ReadAsync(), e => e.Kind == JournalEntryKind.Requested);
    }

    [Fact]
    public async Task OperatorConsole_UnknownId_IsRefusedNamingTheKnownTargets()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse);

        var error = await Assert.ThrowsAsync<OperatorRequestException>(() => h.Services.GetRequiredService<IOperatorConsole>()
            .SetAutoRollbackAsync(new AutoRollbackChange { Target = "stak", Enabled = false, Reason = "typo" }, "alice").AsTask());

        Assert.Contains("Unknown target 'stak': it is neither a configured target nor a group id (targets: ", error.Message, StringComparison.Ordinal);
    }
}
