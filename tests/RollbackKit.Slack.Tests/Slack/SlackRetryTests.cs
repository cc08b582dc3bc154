using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Notifications;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.Slack.Tests.Slack;

/// <summary>
/// The limits of the Slack retry pipeline, on a clock that only moves when the notifier waits on it: how many requests,
/// and exactly how long between them.
/// </summary>
public sealed class SlackRetryTests : IAsyncLifetime
{
    private const string Ok = """{"ok":true,"channel":"C1","ts":"1.2"}""";
    private readonly ObservableFakeTimeProvider _time = new(TestData.Now);
    private readonly List<DateTimeOffset> _sentAt = [];
    private LoopbackReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ServiceProvider Host(Action<SlackOptions> configure) => TestHost.Build(
        b => b.AddSlack(o =>
        {
            o.BotToken = TestHost.BotToken;
            o.ApiBaseUrl = _receiver.Url("api/");
            o.Channel = "#mrp-rollback";
            o.MinimumMessageInterval = TimeSpan.FromSeconds(1);
            configure(o);
        }),
        _time);

    /// <summary>Answers the n-th request (1-based) with <paramref name="answer"/> and records the fake time of each.</summary>
    private void Answer(Func<int, PlannedResponse> answer)
    {
        var calls = 0;
        _receiver.Responder = _ =>
        {
            lock (_sentAt)
            {
                _sentAt.Add(_time.GetUtcNow());
            }

            return answer(Interlocked.Increment(ref calls));
        };
    }

    private static PlannedResponse RateLimited(string retryAfter) =>
        new(429, """{"ok":false,"error":"ratelimited"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    [Fact]
    public async Task NotifyAsync_429WithRetryAfterThenOk_SendsExactlyTwiceSevenSecondsApart()
    {
        Answer(n => n == 1 ? RateLimited("7") : new PlannedResponse(200, Ok));
        await using var sp = Host(_ => { });

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(7));
        _time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromMilliseconds(1));
        Assert.Single(_receiver.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);

        Assert.Equal(2, _receiver.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(7), _sentAt[1] - _sentAt[0]);
        Assert.Contains("waiting 7s (attempt 1)", sp.AllLogText(), StringComparison.Ordinal);
        Assert.DoesNotContain("dropped", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_RetryAfterLongerThanMaxRetryAfter_WaitsOnlyTheMaximum()
    {
        Answer(n => n == 1 ? RateLimited("120") : new PlannedResponse(200, Ok));
        await using var sp = Host(o => o.MaxRetryAfter = TimeSpan.FromSeconds(30));

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(30));
        await task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);

        Assert.Equal(2, _receiver.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(30), _sentAt[1] - _sentAt[0]);
    }

    [Fact]
    public async Task NotifyAsync_AlwaysRateLimited_StopsAfterMaxAttempts()
    {
        Answer(_ => RateLimited("2"));
        await using var sp = Host(o => o.MaxAttempts = 3);

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);

        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Equal([TestData.Now, TestData.Now.AddSeconds(2), TestData.Now.AddSeconds(4)], _sentAt);
        Assert.Contains("dropped after 3 attempts", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_ServerErrors_BackOffOneThenTwoSeconds()
    {
        Answer(n => n < 3 ? new PlannedResponse(503, "busy", "text/plain") : new PlannedResponse(200, Ok));
        await using var sp = Host(o =>
        {
            o.MinimumMessageInterval = TimeSpan.Zero;
            o.MaxAttempts = 3;
        });

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);

        Assert.Equal([TestData.Now, TestData.Now.AddSeconds(1), TestData.Now.AddSeconds(3)], _sentAt);
        Assert.DoesNotContain("dropped", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_Rejected_IsNotRetried()
    {
        Answer(_ => new PlannedResponse(200, """{"ok":false,"error":"channel_not_found"}"""));
        await using var sp = Host(o => o.MaxAttempts = 5);

        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None);

        Assert.Single(_receiver.Requests);
        Assert.Contains("channel_not_found", sp.AllLogText(), StringComparison.Ordinal);
    }
}
