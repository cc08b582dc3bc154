using Microsoft.Extensions.Time.Testing;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Playbooks;

public class DelayStepTests
{
    [Theory]
    [InlineData("30s")]
    [InlineData("00:00:30")]
    [InlineData("0.5m")]
    public async Task Delay_WaitsOnTheFakeClock(string duration)
    {
        var time = new FakeTimeProvider();
        var step = new DelayStepFactory().Create(new PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = duration } });
        var run = step.ExecuteAsync(PlaybookTestContext.Create(time), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await run.WaitAsync(WorkflowHarness.WaitLimit)).Succeeded);
    }
}
