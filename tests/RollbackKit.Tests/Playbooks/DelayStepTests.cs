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
        var result = await run.WaitAsync(WorkflowHarness.WaitLimit);
        Assert.True(result.Succeeded);
        Assert.Equal("waited 00:00:30", result.Message);
    }

    [Fact]
    public async Task Delay_Cancelled_ThrowsWithoutWaitingForTheClock()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource();
        var step = new DelayStepFactory().Create(new PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "1h" } });
        var run = step.ExecuteAsync(PlaybookTestContext.Create(time), cts.Token).AsTask();
        Assert.False(run.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(WorkflowHarness.WaitLimit));
    }

    [Fact]
    public async Task Delay_Zero_CompletesAtOnce()
    {
        var step = new DelayStepFactory().Create(new PlaybookStepDefinition { Type = "delay", Name = "settle", Settings = { ["duration"] = "0s" } });
        var run = step.ExecuteAsync(PlaybookTestContext.Create(new FakeTimeProvider()), CancellationToken.None);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.Equal("waited 00:00:00", (await run).Message);
        Assert.Equal("settle", step.Name);
    }
}
