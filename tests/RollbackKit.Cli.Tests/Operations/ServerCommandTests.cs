using System.Text.Json;
using RollbackKit.Approval;
using RollbackKit.Cli.Tests.Infrastructure;
using RollbackKit.Journal;

namespace RollbackKit.Cli.Tests.Operations;

/// <summary>
/// Every operator command as a real <c>rollbackkit</c> process against a real host serving <c>MapRollbackKitApi</c> on Kestrel
/// (<see cref="OperatorTestServer"/>): exit codes, what is printed, and what the server journaled with the caller's identity.
/// The token never appears in what the tool prints.
/// </summary>
public sealed class ServerCommandTests : IAsyncLifetime
{
    private OperatorTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OperatorTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Rollback_WithToken_StartsTheRunJournaledAsTheCallerAndRepeatsAreJoinedOrRefused()
    {
        var run = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "bad deploy 4711", "--idempotency-key", "deploy-4711");

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = Assert.Single(await _server.JournalAsync(), static e => e.Kind == JournalEntryKind.Requested).RollbackId!;
        Assert.Contains($"Rollback {id} of {OperatorTestServer.Checkout} started", run.Output, StringComparison.Ordinal);
        var requested = (await _server.JournalAsync()).Single(e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal(OperatorTestServer.Caller, requested.Request!.RequestedBy);
        Assert.Equal("bad deploy 4711", requested.Request.Reason);

        var again = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "bad deploy 4711", "--idempotency-key", "deploy-4711");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"Joined rollback {id} of {OperatorTestServer.Checkout}", again.Output, StringComparison.Ordinal);

        _server.ReleaseStep();
        await OperatorTestServer.WaitUntilAsync(() => _server.Controller.GetStatus(OperatorTestServer.Checkout) is { State: RollbackState.RolledBack }, "rolled back");
        var refused = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "once more");

        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.Contains($"POST {_server.Server}/rollbacks: refused: ", refused.Error, StringComparison.Ordinal);
        Assert.Contains(id, refused.Error, StringComparison.Ordinal);
        Assert.Contains("Force", refused.Error, StringComparison.OrdinalIgnoreCase);
        AssertNoToken(run, again, refused);
    }

    [Fact]
    public async Task Commands_WithoutOrWithAWrongToken_Exit4AndNeverPrintTheToken()
    {
        var noToken = new Dictionary<string, string?> { ["ROLLBACKKIT_SERVER"] = _server.Server };
        var wrongToken = new Dictionary<string, string?> { ["ROLLBACKKIT_SERVER"] = _server.Server, ["ROLLBACKKIT_TOKEN"] = "wrong-" + _server.Token };

        var status = await OperatorCli.RunAsync(noToken, "status");
        var rollback = await OperatorCli.RunAsync(noToken, "rollback", OperatorTestServer.Checkout, "--reason", "x");
        var history = await OperatorCli.RunAsync(wrongToken, "history");
        var killSwitch = await OperatorCli.RunAsync(wrongToken, "kill-switch", "on", "--reason", "x");

        foreach (var run in (CliRun[])[status, rollback, history, killSwitch])
        {
            Assert.True(run.ExitCode == 4, run.ToString());
            Assert.Contains("401", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(_server.Token, run.Output + run.Error, StringComparison.Ordinal);
        }

        Assert.Contains("(no token: set ROLLBACKKIT_TOKEN)", status.Error, StringComparison.Ordinal);
        Assert.Contains("refused the credentials in ROLLBACKKIT_TOKEN", history.Error, StringComparison.Ordinal);
        Assert.DoesNotContain((await _server.JournalAsync()), static e => e.Kind == JournalEntryKind.Requested);
        Assert.True(_server.Controller.AutoRollbackEnabled);
    }

    [Fact]
    public async Task ApproveAndHold_UnknownRun_Exit6WithTheServersDetail()
    {
        var approve = await Cli("approve", "no-such-run");
        var hold = await Cli("hold", "no-such-run", "--comment", "wait");

        Assert.True(approve.ExitCode == 6, approve.ToString());
        Assert.Contains($"POST {_server.Server}/rollbacks/no-such-run/approve: 404", approve.Error, StringComparison.Ordinal);
        Assert.Contains("no-such-run", approve.Error[(approve.Error.IndexOf("404", StringComparison.Ordinal) + 3)..], StringComparison.Ordinal);
        Assert.True(hold.ExitCode == 6, hold.ToString());
        AssertNoToken(approve, hold);
    }

    [Fact]
    public async Task Approve_PendingRun_ProceedsAndTheDecisionIsJournaledAsTheCaller()
    {
        var id = await _server.RequestNeedingApprovalAsync(OperatorTestServer.Search);

        var status = await Cli("status");
        var approve = await Cli("approve", id, "--comment", "looks right");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains($"Rollback {id} of {OperatorTestServer.Search}", status.Output, StringComparison.Ordinal);
        Assert.Contains("AwaitingApproval", status.Output, StringComparison.Ordinal);
        Assert.Contains($"rollbackkit approve {id}", status.Output, StringComparison.Ordinal);
        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.Contains($"Approved rollback {id}: it proceeds.", approve.Output, StringComparison.Ordinal);
        await OperatorTestServer.WaitUntilAsync(
            () => _server.Controller.GetStatus(OperatorTestServer.Search) is { State: RollbackState.RollingBack or RollbackState.RolledBack }, "rolling back");
        var decision = (await _server.JournalAsync()).Single(e => e.Kind == JournalEntryKind.ApprovalDecided && e.RollbackId == id);
        Assert.Equal(ApprovalDecision.Approved, decision.Decision);
        Assert.Equal(OperatorTestServer.Caller, decision.Actor);
        AssertNoToken(status, approve);
    }

    [Fact]
    public async Task Hold_PendingRun_RejectsItAndTheDecisionIsJournaledAsTheCaller()
    {
        var id = await _server.RequestNeedingApprovalAsync(OperatorTestServer.Payments);

        var hold = await Cli("hold", id, "--comment", "freeze window");

        Assert.True(hold.ExitCode == 0, hold.ToString());
        Assert.Contains($"Held rollback {id}", hold.Output, StringComparison.Ordinal);
        await OperatorTestServer.WaitUntilAsync(() => _server.Controller.GetStatus(OperatorTestServer.Payments) is { State: RollbackState.Rejected }, "rejected");
        var decision = (await _server.JournalAsync()).Single(e => e.Kind == JournalEntryKind.ApprovalDecided && e.RollbackId == id);
        Assert.Equal(ApprovalDecision.Rejected, decision.Decision);
        Assert.Contains($"held by {OperatorTestServer.Caller}: freeze window", decision.Message + " " + decision.Actor + " " + JsonSerializer.Serialize(decision), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillSwitch_OnThenOff_ChangesAutomaticRollbackAndIsJournaledWithWhoAndWhy()
    {
        var on = await Cli("kill-switch", "on", "--reason", "risky migration tonight");

        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.Contains("Kill switch ON: automatic rollback is off for every target.", on.Output, StringComparison.Ordinal);
        Assert.Contains($"changed by {OperatorTestServer.Caller}", on.Output, StringComparison.Ordinal);
        Assert.Contains("risky migration tonight", on.Output, StringComparison.Ordinal);
        Assert.False(_server.Controller.AutoRollbackEnabled);
        var journaled = (await _server.JournalAsync()).Where(static e => e.Actor == OperatorTestServer.Caller && e.Message?.Contains("risky migration tonight", StringComparison.Ordinal) == true);
        Assert.NotEmpty(journaled);

        var target = await Cli("kill-switch", "on", "--reason", "search canary", "--target", OperatorTestServer.Search);
        var off = await Cli("kill-switch", "off", "--reason", "migration done");
        var bad = await Cli("kill-switch", "maybe", "--reason", "x");

        Assert.True(target.ExitCode == 0, target.ToString());
        Assert.False(_server.Controller.IsAutoRollbackEnabled(OperatorTestServer.Search));
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Contains("Kill switch OFF: automatic rollback is on for every target.", off.Output, StringComparison.Ordinal);
        Assert.True(_server.Controller.AutoRollbackEnabled);
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("'maybe' is neither 'on'", bad.Error, StringComparison.Ordinal);
        AssertNoToken(on, target, off);
    }

    [Fact]
    public async Task Reset_AfterARefusalWithinTheCooldown_RollbackStartsAgainAndTheResetIsJournaledWithWhoAndWhy()
    {
        var first = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "bad deploy 4711");
        Assert.True(first.ExitCode == 0, first.ToString());
        _server.ReleaseStep();
        await OperatorTestServer.WaitUntilAsync(() => _server.Controller.GetStatus(OperatorTestServer.Checkout) is { State: RollbackState.RolledBack }, "rolled back");
        var refused = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "still broken");
        Assert.True(refused.ExitCode == 5, refused.ToString());

        var reset = await Cli("reset", OperatorTestServer.Checkout, "--reason", "fix 1.4.3 deployed");
        var noReason = await Cli("reset", OperatorTestServer.Checkout, "--reason", " ");
        var unknown = await Cli("reset", "shop/nope", "--reason", "x");
        var again = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "fix 1.4.3 broke it again");

        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Contains($"Attempts and cooldown of {OperatorTestServer.Checkout} reset by {OperatorTestServer.Caller}", reset.Output, StringComparison.Ordinal);
        var journaled = Assert.Single(await _server.JournalAsync(), static e => e.Kind == JournalEntryKind.AttemptsReset);
        Assert.Equal((OperatorTestServer.Checkout, OperatorTestServer.Caller, "fix 1.4.3 deployed"), (journaled.TargetId, journaled.Actor!, journaled.Message!));
        Assert.True(noReason.ExitCode == 2, noReason.ToString());
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("Unknown target 'shop/nope'", unknown.Error, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"of {OperatorTestServer.Checkout} started", again.Output, StringComparison.Ordinal);
        AssertNoToken(reset, unknown, again);
    }

    [Fact]
    public async Task Status_ActiveRun_ShowsPhaseStepsAndBudgetAndWatchRedraws()
    {
        var start = await Cli("rollback", OperatorTestServer.Checkout, "--reason", "latency spike");
        Assert.True(start.ExitCode == 0, start.ToString());
        await OperatorTestServer.WaitUntilAsync(() => _server.Controller.GetStatus(OperatorTestServer.Checkout) is { State: RollbackState.RollingBack }, "rolling back");
        var id = _server.Controller.GetStatus(OperatorTestServer.Checkout)!.RollbackId;

        var status = await Cli("status");
        var watch = await Cli("status", "--watch", "--count", "2");
        var json = await Cli("status", "--json");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Automatic rollback: ON", status.Output, StringComparison.Ordinal);
        Assert.Contains($"Rollback {id} of {OperatorTestServer.Checkout}", status.Output, StringComparison.Ordinal);
        Assert.Contains("RollingBack", status.Output, StringComparison.Ordinal);
        Assert.Contains("0/2 steps — step 1: drain traffic", status.Output, StringComparison.Ordinal);
        Assert.Matches(@"of 5m00s budget", status.Output);
        Assert.Contains("latency spike", status.Output, StringComparison.Ordinal);
        Assert.Contains(OperatorTestServer.Caller, status.Output, StringComparison.Ordinal);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Equal(2, watch.Output.Split("RollbackKit status at").Length - 1);
        Assert.True(json.ExitCode == 0, json.ToString());
        using (var document = JsonDocument.Parse(json.Output))
        {
            var active = Assert.Single(document.RootElement.GetProperty("active").EnumerateArray());
            Assert.Equal(id, active.GetProperty("rollbackId").GetString());
            Assert.Equal(2, active.GetProperty("stepCount").GetInt32());
        }

        _server.ReleaseStep();
        await OperatorTestServer.WaitUntilAsync(() => _server.Controller.GetStatus(OperatorTestServer.Checkout) is { State: RollbackState.RolledBack }, "rolled back");
        var history = await Cli("history", "--since", "1h");
        var stats = await Cli("stats", "--json", "--target", OperatorTestServer.Checkout);

        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Contains(id, history.Output, StringComparison.Ordinal);
        Assert.Contains("latency spike", history.Output, StringComparison.Ordinal);
        Assert.True(stats.ExitCode == 0, stats.ToString());
        using (var document = JsonDocument.Parse(stats.Output))
        {
            Assert.Equal(1, document.RootElement.GetProperty("total").GetInt32());
            Assert.Equal(1, document.RootElement.GetProperty("manual").GetInt32());
        }

        AssertNoToken(start, status, watch, json, history, stats);
    }

    [Fact]
    public async Task StatusWatch_CtrlC_StopsTheWatchWithExitCode0()
    {
        var run = await OperatorCli.InterruptAsync(_server.Environment, "No active rollback.", "status", "--watch");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Automatic rollback: ON", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cancelled", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_ServerDown_Exit3AndMissingServer_Exits2()
    {
        var down = await OperatorCli.RunAsync("status", "--server", "http://127.0.0.1:9/rollbackkit");
        var missing = await OperatorCli.RunAsync("rollback", OperatorTestServer.Checkout, "--reason", "x");
        var badAddress = await OperatorCli.RunAsync("status", "--server", "127.0.0.1:5000");

        Assert.True(down.ExitCode == 3, down.ToString());
        Assert.Contains("GET http://127.0.0.1:9/rollbackkit/status: the server is unreachable", down.Error, StringComparison.Ordinal);
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("no server: pass --server <url> or set ROLLBACKKIT_SERVER.", missing.Error, StringComparison.Ordinal);
        Assert.True(badAddress.ExitCode == 2, badAddress.ToString());
        Assert.Contains("--server: '127.0.0.1:5000' is not an http or https address", badAddress.Error, StringComparison.Ordinal);
    }

    private Task<CliRun> Cli(params string[] arguments) => OperatorCli.RunAsync(_server.Environment, arguments);

    private void AssertNoToken(params CliRun[] runs)
    {
        foreach (var run in runs)
        {
            Assert.DoesNotContain(_server.Token, run.Output + run.Error, StringComparison.Ordinal);
        }
    }
}
