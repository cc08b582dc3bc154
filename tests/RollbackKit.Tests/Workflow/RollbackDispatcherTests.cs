using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NSubstitute;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;
using RollbackKit.Workflow;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Workflow;

public class RollbackDispatcherTests
{
    [Fact]
    public async Task DispatchAsync_Critical_RunsPlaybookAndRollsBack()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(DispatchStatus.Started, result.Status);
        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(1, h.StepRuns);
        await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);
        var kinds = h.Notifier.Events.Select(e => e.Kind).ToArray();
        Assert.Equal([RollbackEventKind.Fired, RollbackEventKind.Started, RollbackEventKind.StepCompleted, RollbackEventKind.Succeeded], kinds);
    }

    [Fact]
    public async Task DispatchAsync_TransitionsJournaledInOrder()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        await h.WaitAsync(result.RollbackId);
        var entries = await h.Journal.ReadAsync("app");
        var states = entries.Where(e => e.Kind is JournalEntryKind.Requested or JournalEntryKind.Transition).Select(e => e.State).ToArray();
        Assert.Equal([RollbackState.RollbackPending, RollbackState.RollingBack, RollbackState.Verifying, RollbackState.RolledBack], states);
        Assert.Contains(entries, e => e.Kind == JournalEntryKind.StepCompleted && e.Step!.Succeeded);
        var completed = Assert.Single(entries, e => e.Kind == JournalEntryKind.Completed);
        Assert.Equal(RollbackState.RolledBack, completed.Audit!.State);
        Assert.True(completed.Audit.Verification.Performed);
        Assert.Contains("healthy in 1/1 checks", completed.Audit.Verification.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_NoHealthProbeRegistered_RolledBackWithNote()
    {
        await using var h = WorkflowHarness.Create(
            o => o.Workflow.VerificationWindow = TimeSpan.Zero,
            after: s => s.RemoveAll<ITargetHealthProbe>());
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(result.RollbackId)).State);
        var audit = (await h.History.GetRollbacksAsync()).Single();
        Assert.False(audit.Verification.Performed);
        Assert.Contains("no health probe", audit.Verification.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_ThousandConcurrentRequestsForOneTarget_RunsPlaybookOnce()
    {
        await using var h = WorkflowHarness.Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Step = async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return StepResult.Success();
        };

        var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await h.Dispatcher.DispatchAsync(h.Request(type: i % 2 == 0 ? RollbackTriggerType.MetricTrigger : RollbackTriggerType.Alert));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks).WaitAsync(WorkflowHarness.WaitLimit);
        release.SetResult();

        var started = Assert.Single(results, r => r.Status == DispatchStatus.Started);
        Assert.Equal(999, results.Count(r => r.Status == DispatchStatus.Joined));
        Assert.All(results, r => Assert.Equal(started.RollbackId, r.RollbackId));
        var status = await h.WaitAsync(started.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(1, h.StepRuns);
        var entries = await h.Journal.ReadAsync("app");
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal(999, entries.Count(e => e.Kind == JournalEntryKind.Joined));
        Assert.Equal(999, entries.Single(e => e.Kind == JournalEntryKind.Completed).Audit!.JoinedRequests);
    }

    [Fact]
    public async Task DispatchAsync_DifferentTargets_RunInParallel()
    {
        await using var h = WorkflowHarness.Create();
        var bothRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        h.Step = async (ctx, ct) =>
        {
            if (Interlocked.Increment(ref running) == 2)
            {
                bothRunning.TrySetResult();
            }

            // Each step only finishes once the other target's step has started too: impossible if they ran one after the other.
            await bothRunning.Task.WaitAsync(ct);
            return StepResult.Success(ctx.Target.Id);
        };

        var a = await h.Dispatcher.DispatchAsync(h.Request("app"));
        var b = await h.Dispatcher.DispatchAsync(h.Request("web"));
        Assert.Equal(DispatchStatus.Started, a.Status);
        Assert.Equal(DispatchStatus.Started, b.Status);
        Assert.NotEqual(a.RollbackId, b.RollbackId);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(a.RollbackId)).State);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(b.RollbackId)).State);
    }

    [Fact]
    public async Task DispatchAsync_SameDeduplicationKey_ReturnsDuplicate()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.Cooldown = TimeSpan.Zero);
        var first = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));
        await h.WaitAsync(first.RollbackId);
        var second = await h.Dispatcher.DispatchAsync(h.Request(dedup: "alert-fp-1"));
        Assert.Equal(DispatchStatus.Duplicate, second.Status);
        Assert.Equal(first.RollbackId, second.RollbackId);
        Assert.Equal(1, h.StepRuns);
        Assert.Contains(await h.Journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Duplicate);
    }

    [Fact]
    public async Task DispatchAsync_AlertOnly_RaisesAlertWithoutRollback()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request(alertOnly: true));
        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Null(result.RollbackId);
        var alert = await h.Notifier.WaitForAsync(RollbackEventKind.Alert);
        Assert.Equal("app", alert.Target.Id);
        Assert.Equal(0, h.StepRuns);
    }

    [Fact]
    public async Task DispatchAsync_UnknownTarget_Rejected()
    {
        await using var h = WorkflowHarness.Create();
        var result = await h.Dispatcher.DispatchAsync(h.Request("nope"));
        Assert.Equal(DispatchStatus.Refused, result.Status);
        Assert.Contains("Unknown target", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_GlobalKillSwitchInOptions_AlertsButManualStillWorks()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.AutoRollbackEnabled = false);
        var auto = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(DispatchStatus.AlertRaised, auto.Status);
        var alert = await h.Notifier.WaitForAsync(RollbackEventKind.Alert);
        Assert.Contains("kill switch", alert.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.StepRuns);

        var manual = await h.Controller.RollbackAsync("app", "bad release", "alice");
        Assert.Equal(DispatchStatus.Started, manual.Status);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(manual.RollbackId)).State);
        Assert.Equal(1, h.StepRuns);
    }

    [Fact]
    public async Task SetAutoRollback_RuntimeGlobalAndPerTarget_SwitchesAutomaticRequestsToAlerts()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.Cooldown = TimeSpan.Zero);
        h.Controller.SetAutoRollback(false);
        Assert.False(h.Controller.IsAutoRollbackEnabled("app"));
        Assert.Equal(DispatchStatus.AlertRaised, (await h.Dispatcher.DispatchAsync(h.Request())).Status);

        h.Controller.SetAutoRollback(true);
        h.Controller.SetAutoRollback("app", false);
        Assert.Equal(DispatchStatus.AlertRaised, (await h.Dispatcher.DispatchAsync(h.Request("app"))).Status);
        var web = await h.Dispatcher.DispatchAsync(h.Request("web"));
        Assert.Equal(DispatchStatus.Started, web.Status);
        await h.WaitAsync(web.RollbackId);

        h.Controller.SetAutoRollback("app", null);
        Assert.Equal(DispatchStatus.Started, (await h.Dispatcher.DispatchAsync(h.Request("app"))).Status);
    }

    [Fact]
    public async Task DispatchAsync_TargetAutoRollbackFalse_AlertsOnly()
    {
        await using var h = WorkflowHarness.Create(o => o.Targets.Add(new TargetDefinition { Id = "db", AutoRollback = false }));
        Assert.Equal(DispatchStatus.AlertRaised, (await h.Dispatcher.DispatchAsync(h.Request("db"))).Status);
        Assert.Equal(DispatchStatus.Started, (await h.Controller.RollbackAsync("db", "manual", "bob")).Status);
    }

    [Fact]
    public async Task DispatchAsync_PastPointOfNoReturn_AsksForForwardFix()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.PointOfNoReturnTargets.Add("web"));
        Assert.True(h.Controller.IsPastPointOfNoReturn("web"));
        var result = await h.Dispatcher.DispatchAsync(h.Request("web"));
        Assert.Equal(DispatchStatus.AlertRaised, result.Status);
        Assert.Contains("forward fix", result.Message, StringComparison.Ordinal);
        var alert = await h.Notifier.WaitForAsync(RollbackEventKind.Alert);
        Assert.Contains("point of no return", alert.Message, StringComparison.Ordinal);

        h.Controller.SetPointOfNoReturn("app", true);
        Assert.Equal(DispatchStatus.AlertRaised, (await h.Dispatcher.DispatchAsync(h.Request("app"))).Status);
        h.Controller.SetPointOfNoReturn("app", false);
        Assert.Equal(DispatchStatus.Started, (await h.Dispatcher.DispatchAsync(h.Request("app"))).Status);
        Assert.Equal(0, h.Notifier.Events.Count(e => e.Kind == RollbackEventKind.StepCompleted && e.Target.Id == "web"));
    }

    [Fact]
    public async Task DispatchAsync_WithinCooldown_RejectedUntilCooldownPasses()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10));
        var first = await h.Dispatcher.DispatchAsync(h.Request());
        await h.WaitAsync(first.RollbackId);

        h.Time.Advance(TimeSpan.FromMinutes(9));
        var second = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(DispatchStatus.Refused, second.Status);
        Assert.Contains("cooldown", second.Message, StringComparison.Ordinal);

        var manual = await h.Controller.RollbackAsync("app", "override", "carol", force: true);
        Assert.Equal(DispatchStatus.Started, manual.Status);
        await h.WaitAsync(manual.RollbackId);

        // The forced manual rollback starts a cooldown of its own.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        var afterManual = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(DispatchStatus.Refused, afterManual.Status);
        Assert.Equal(manual.RollbackId, afterManual.RollbackId);

        h.Time.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal(DispatchStatus.Started, (await h.Dispatcher.DispatchAsync(h.Request())).Status);
    }

    [Fact]
    public async Task DispatchAsync_MaxAttemptsReached_RejectedUntilReset()
    {
        await using var h = WorkflowHarness.Create(o =>
        {
            o.Workflow.Cooldown = TimeSpan.Zero;
            o.Workflow.MaxAttemptsPerTarget = 3;
        });
        for (var i = 0; i < 3; i++)
        {
            var r = await h.Dispatcher.DispatchAsync(h.Request());
            Assert.Equal(DispatchStatus.Started, r.Status);
            await h.WaitAsync(r.RollbackId);
        }

        var fourth = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(DispatchStatus.Refused, fourth.Status);
        Assert.Contains("maximum 3", fourth.Message, StringComparison.Ordinal);
        Assert.Equal(3, h.StepRuns);

        h.Controller.ResetAttempts("app");
        Assert.Equal(DispatchStatus.Started, (await h.Dispatcher.DispatchAsync(h.Request())).Status);
    }

    [Fact]
    public async Task DispatchAsync_AttemptsOutsideWindow_NoLongerCount()
    {
        await using var h = WorkflowHarness.Create(o =>
        {
            o.Workflow.Cooldown = TimeSpan.Zero;
            o.Workflow.MaxAttemptsPerTarget = 1;
            o.Workflow.AttemptWindow = TimeSpan.FromHours(1);
        });
        await h.WaitAsync((await h.Dispatcher.DispatchAsync(h.Request())).RollbackId);
        Assert.Equal(DispatchStatus.Refused, (await h.Dispatcher.DispatchAsync(h.Request())).Status);
        h.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(DispatchStatus.Started, (await h.Dispatcher.DispatchAsync(h.Request())).Status);
    }

    [Fact]
    public async Task GetStatus_WhileRunning_ShowsStateAndActive()
    {
        await using var h = WorkflowHarness.Create();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Step = async (_, ct) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(ct);
            return StepResult.Success();
        };
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        await entered.Task.WaitAsync(WorkflowHarness.WaitLimit);
        Assert.Equal(RollbackState.RollingBack, h.Controller.GetStatus("app")!.State);
        Assert.Single(h.Controller.GetActiveRollbacks());
        release.SetResult();
        await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, h.Controller.GetStatus("app")!.State);
        Assert.Empty(h.Controller.GetActiveRollbacks());
    }

    [Fact]
    public async Task Options_UnknownStepType_RejectedAtStartNamingTheStep()
    {
        await using var h = WorkflowHarness.Create(o => o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "no-such-step" }));
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => h.Dispatcher);
        Assert.Contains("Playbook:Steps:1:Type", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-step", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_InvalidStepSetting_RejectedAtStartNamingTheSetting()
    {
        await using var h = WorkflowHarness.Create(o => o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "http", Settings = { ["url"] = "not-a-url" } }));
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => h.Dispatcher);
        Assert.Contains("Playbook:Steps:1:Settings:url", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_PlaybookInvalidAtRollbackTime_FailsAndEscalates()
    {
        // Start-up validation accepts the step (first Create); building the playbook at rollback time fails.
        var factory = Substitute.For<IPlaybookStepFactory>();
        factory.Type.Returns("flaky-config");
        factory.Create(Arg.Any<PlaybookStepDefinition>()).Returns(
            _ => Substitute.For<IPlaybookStep>(),
            _ => throw new PlaybookConfigurationException("endpoint", "no longer resolvable: flaky-config"));
        await using var h = WorkflowHarness.Create(
            o => o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "flaky-config" }),
            s => s.AddSingleton(factory));
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Contains("flaky-config", status.Message, StringComparison.Ordinal);
        await h.Notifier.WaitForAsync(RollbackEventKind.Escalated);
    }
}
