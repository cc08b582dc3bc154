using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Playbooks;

public class StepExecutorTests
{
    private readonly ObservableFakeTimeProvider _time = new();

    private BuiltStep Build(Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> run, Action<PlaybookStepDefinition>? configure = null)
    {
        var definition = new PlaybookStepDefinition { Type = "fn", Name = "fn-step", Timeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(definition);
        return PlaybookTestContext.Builder(_time, new DelegatePlaybookStepFactory("fn", run)).BuildStep(0, definition);
    }

    [Fact]
    public async Task Execute_AttemptExceedsTimeout_FailsAsTimedOut()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = Build(async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Success();
        });
        var run = StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(WorkflowHarness.WaitLimit);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(run.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await run.WaitAsync(WorkflowHarness.WaitLimit);
        Assert.False(result.Result.Succeeded);
        Assert.True(result.Result.Transient);
        Assert.Equal("timed out after 00:00:30", result.Result.Message);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Duration);
    }

    [Fact]
    public async Task Execute_TransientFailures_RetriedWithExponentialDelay()
    {
        var attempts = new List<DateTimeOffset>();
        var step = Build(
            (ctx, _) =>
            {
                attempts.Add(ctx.TimeProvider.GetUtcNow());
                return ValueTask.FromResult(ctx.Attempt < 4 ? StepResult.Failure("503", transient: true) : StepResult.Success("up"));
            },
            d =>
            {
                d.Retries = 3;
                d.RetryDelay = TimeSpan.FromSeconds(2);
            });
        var start = _time.GetUtcNow();
        var run = StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None).AsTask();

        // Delays double: 2 s, 4 s, 8 s; the clock moves only when the executor waits on exactly that delay.
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(4));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(8));
        var result = await run.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.True(result.Result.Succeeded);
        Assert.Equal("up", result.Result.Message);
        Assert.Equal(4, result.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(14), result.Duration);
        Assert.Equal([start, start.AddSeconds(2), start.AddSeconds(6), start.AddSeconds(14)], attempts);
    }

    [Fact]
    public async Task Execute_NonTransientFailure_NotRetried()
    {
        var calls = 0;
        var step = Build((_, _) =>
        {
            calls++;
            return ValueTask.FromResult(StepResult.Failure("bad config", transient: false));
        }, d => d.Retries = 5);
        var result = await StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None);
        Assert.False(result.Result.Succeeded);
        Assert.Equal(1, calls);
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task Execute_RetriesExhausted_ReturnsLastFailure()
    {
        var step = Build((ctx, _) => ValueTask.FromResult(StepResult.Failure($"fail {ctx.Attempt}")), d =>
        {
            d.Retries = 2;
            d.RetryDelay = TimeSpan.Zero;
        });
        var result = await StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None);
        Assert.Equal(3, result.Attempts);
        Assert.Equal("fail 3", result.Result.Message);
    }

    [Fact]
    public async Task Execute_StepThrows_FailureWithMessage()
    {
        var step = Build((_, _) => throw new InvalidOperationException("kaboom"));
        var result = await StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None);
        Assert.False(result.Result.Succeeded);
        Assert.Equal("kaboom", result.Result.Message);
    }

    [Fact]
    public async Task Execute_TimeoutThenSuccess_RetriesTimeouts()
    {
        var step = Build(
            async (ctx, ct) =>
            {
                if (ctx.Attempt == 1)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return StepResult.Success();
            },
            d =>
            {
                d.Timeout = TimeSpan.FromSeconds(5);
                d.Retries = 1;
                d.RetryDelay = TimeSpan.FromSeconds(1);
            });
        var run = StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None).AsTask();

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5)); // the first attempt's timeout
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1)); // the retry delay
        var result = await run.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.True(result.Result.Succeeded);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(6), result.Duration);
    }

    [Fact]
    public async Task Execute_OuterCancellation_Throws()
    {
        using var cts = new CancellationTokenSource();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = Build(async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Success();
        }, d => d.Retries = 3);
        var run = StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, cts.Token).AsTask();
        await entered.Task.WaitAsync(WorkflowHarness.WaitLimit);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(WorkflowHarness.WaitLimit));
    }
}
