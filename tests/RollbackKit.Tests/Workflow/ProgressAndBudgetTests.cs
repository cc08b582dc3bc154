using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

public class ProgressAndBudgetTests
{
    [Fact]
    public async Task LongRollback_SendsProgressAndBudgetExceeded()
    {
        await using var h = WorkflowHarness.Create(o =>
        {
            o.Workflow.ProgressInterval = TimeSpan.FromMinutes(2);
            o.Playbook.Budget = TimeSpan.FromMinutes(3);
            o.Playbook.Steps[0].Timeout = TimeSpan.FromMinutes(30);
            o.Playbook.Steps[0].ExpectedDuration = TimeSpan.FromMinutes(1);
        });
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Step = async (ctx, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(TimeSpan.FromMinutes(5), ctx.TimeProvider, ct);
            return StepResult.Success();
        };

        var result = await h.Dispatcher.DispatchAsync(h.Request());
        await entered.Task.WaitAsync(WorkflowHarness.WaitLimit);
        h.Time.Advance(TimeSpan.FromMinutes(2));
        var progress = await h.Notifier.WaitForAsync(RollbackEventKind.Progress);
        Assert.Contains("still running", progress.Message, StringComparison.Ordinal);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var budget = await h.Notifier.WaitForAsync(e => e.Kind == RollbackEventKind.Progress && e.Message.Contains("budget", StringComparison.Ordinal));
        Assert.Equal(result.RollbackId, budget.RollbackId);
        h.Time.Advance(TimeSpan.FromMinutes(2));

        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RolledBack, status.State);
        var audit = (await h.History.GetRollbacksAsync()).Single();
        Assert.False(audit.Execution.WithinBudget);
        Assert.Equal(TimeSpan.FromMinutes(5), audit.Execution.Duration);
        var step = Assert.Single(audit.Execution.Steps);
        Assert.True(step.ExceededExpected);
        Assert.Equal(TimeSpan.FromMinutes(5), step.Duration);
        var succeeded = await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);
        Assert.Equal(TimeSpan.FromMinutes(5), succeeded.Duration);
    }
}
