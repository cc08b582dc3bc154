using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Playbooks;

public class PlaybookWorkflowTests
{
    private static WorkflowHarness Create(bool continueOnFailure) => WorkflowHarness.Create(o =>
    {
        o.Playbook = new PlaybookDefinition
        {
            Steps =
            [
                new PlaybookStepDefinition { Type = "test", Name = "first", ContinueOnFailure = continueOnFailure },
                new PlaybookStepDefinition { Type = "test", Name = "second" },
            ],
        };
    });

    [Fact]
    public async Task FailingStep_WithoutContinueOnFailure_AbortsAndFails()
    {
        await using var h = Create(continueOnFailure: false);
        h.Step = (_, _) => ValueTask.FromResult(StepResult.Failure("undo failed", transient: false));
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Contains("first", status.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.StepRuns);
        await h.Notifier.WaitForAsync(RollbackEventKind.Escalated);
    }

    [Fact]
    public async Task FailingStep_WithContinueOnFailure_RunsNextStep()
    {
        await using var h = Create(continueOnFailure: true);
        var n = 0;
        h.Step = (_, _) => ValueTask.FromResult(Interlocked.Increment(ref n) == 1 ? StepResult.Failure("drain failed", transient: false) : StepResult.Success());
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(2, h.StepRuns);
        var steps = (await h.History.GetRollbacksAsync()).Single().Execution.Steps;
        Assert.False(steps[0].Succeeded);
        Assert.True(steps[0].ContinuedOnFailure);
        Assert.True(steps[1].Succeeded);
        await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded); // delivery is asynchronous but ordered per notifier
        var stepEvents = h.Notifier.Events.Where(e => e.Kind == RollbackEventKind.StepCompleted).ToArray();
        Assert.Equal([false, true], stepEvents.Select(e => e.StepSucceeded!.Value));
    }

    [Fact]
    public async Task TargetPlaybook_OverridesDefault()
    {
        await using var h = WorkflowHarness.Create(o => o.Targets.Add(new TargetDefinition
        {
            Id = "svc",
            Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "delay", Name = "wait", Settings = { ["duration"] = "0s" } }] },
        }));
        var result = await h.Dispatcher.DispatchAsync(h.Request("svc"));
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(result.RollbackId)).State);
        Assert.Equal(0, h.StepRuns);
        Assert.Equal("wait", (await h.Journal.ReadAsync("svc")).Single(e => e.Kind == JournalEntryKind.StepCompleted).Step!.Name);
    }
}
