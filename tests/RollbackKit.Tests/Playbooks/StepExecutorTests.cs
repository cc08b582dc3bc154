using Microsoft.Extensions.Time.Testing;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Playbooks;

public class StepExecutorTests
{
    private readonly FakeTimeProvider _time = new();

    private BuiltStep Build(Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> run, Action<PlaybookStepDefinition>? configure = null)
    {
        var definition = new PlaybookStepDefinition { Type = "fn", Name = "fn-step", Timeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(definition);
        return PlaybookTestContext.Builder(_time, new DelegatePlaybookStepFactory("fn", run)).BuildStep(0, definition);
    }

    private static async Task<T> AdvanceUntilAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(step);
            await Task.WhenAny(task, Task.Delay(5));
        }

        return await task;
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
        Assert.Contains("timed out", result.Result.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Attempts);
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
        var result = await AdvanceUntilAsync(_time, StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None).AsTask(), TimeSpan.FromSeconds(1));
        Assert.True(result.Result.Succeeded);
        Assert.Equal(4, result.Attempts);
        // Delays double: 2 s, 4 s, 8 s (measured on the fake clock, which moves in 1 s steps).
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        Assert.Equal(3, gaps.Length);
        Assert.True(gaps[0] >= 2 && gaps[1] >= 4 && gaps[2] >= 8, string.Join(",", gaps));
        Assert.True(gaps[1] > gaps[0] && gaps[2] > gaps[1]);
        Assert.True(attempts[0] == start);
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
        var result = await AdvanceUntilAsync(_time, StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(_time), _time, CancellationToken.None).AsTask(), TimeSpan.FromSeconds(1));
        Assert.True(result.Result.Succeeded);
        Assert.Equal(2, result.Attempts);
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
