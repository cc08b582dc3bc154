using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.PagerDuty.Internal;
using RollbackKit.PagerDuty.Tests.Infrastructure;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Notifications;

namespace RollbackKit.PagerDuty.Tests;

/// <summary>The retry limits of the PagerDuty named client's resilience handler, against a loopback Events API, on fake time.</summary>
public sealed class PagerDutyRetryHandlerTests : IAsyncLifetime
{
    private const string RoutingKey = "R0UT1NGKEYSECRET0000000000000000";
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly List<DateTimeOffset> _sentAt = [];
    private LoopbackReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ServiceProvider Host(int maxRetryAttempts, TimeSpan retryDelay, TimeSpan? requestTimeout = null, bool registerTwice = false) => TestHost.Build(
        b =>
        {
            Action<PagerDutyOptions> configure = o =>
            {
                o.RoutingKey = RoutingKey;
                o.EventsApiBaseUrl = _receiver.BaseUrl;
                o.MaxRetryAttempts = maxRetryAttempts;
                o.RetryDelay = retryDelay;
                o.RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10);
            };
            b.AddPagerDuty(configure);
            if (registerTwice)
            {
                b.AddPagerDuty(configure);
            }
        },
        _time);

    private void Respond(Func<int, PlannedResponse> byCall)
    {
        _receiver.Responder = _ =>
        {
            lock (_sentAt)
            {
                _sentAt.Add(_time.GetUtcNow());
                return byCall(_sentAt.Count);
            }
        };
    }

    private TimeSpan Gap(int retry)
    {
        lock (_sentAt)
        {
            return _sentAt[retry] - _sentAt[retry - 1];
        }
    }

    [Fact]
    public async Task RetryAfter_OnFakeTime_IsWaitedExactly()
    {
        Respond(call => call == 1
            ? new PlannedResponse(429, """{"status":"throttled"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "45" })
            : new PlannedResponse(202, """{"status":"success"}"""));
        await using var sp = Host(maxRetryAttempts: 3, retryDelay: TimeSpan.FromSeconds(1));

        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        await _time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(250));
        await task;

        Assert.Equal(2, _receiver.Requests.Count);
        Assert.InRange(Gap(1), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(55));
        Assert.Contains("PagerDuty trigger sent", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlwaysUnavailable_MakesMaxRetryAttemptsPlusOneAttempts_WaitingOnFakeTimeWithinTheCap()
    {
        Respond(_ => new PlannedResponse(503, "unavailable", "text/plain"));
        await using var sp = Host(maxRetryAttempts: 2, retryDelay: TimeSpan.FromSeconds(20));

        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        await _time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(2));
        await task;

        Assert.Equal(3, _receiver.Requests.Count);
        Assert.All([Gap(1), Gap(2)], gap => Assert.InRange(gap, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2)));
        var logs = sp.AllLogText();
        Assert.Contains("PagerDuty request retry 2 after HTTP 503", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("retry 3", logs, StringComparison.Ordinal);
        Assert.Contains("failed with HTTP 503", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangingAttempt_TimesOutOnFakeTime_AndIsRetried()
    {
        Respond(call => call == 1 ? new PlannedResponse(202, Hang: true) : new PlannedResponse(202, """{"status":"success"}"""));
        await using var sp = Host(maxRetryAttempts: 1, retryDelay: TimeSpan.FromSeconds(1), requestTimeout: TimeSpan.FromSeconds(30));

        var started = _time.GetUtcNow();
        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        await _time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(1));
        await task;

        Assert.Equal(2, _receiver.Requests.Count);
        DateTimeOffset second;
        lock (_sentAt)
        {
            second = _sentAt[1];
        }

        Assert.True(second - started >= TimeSpan.FromSeconds(30), $"the second attempt came {second - started} after the start, before the 30s attempt timeout");
        Assert.Contains("PagerDuty trigger sent", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedClient_CarriesTheRetryHandler()
    {
        Respond(call => call <= 2 ? new PlannedResponse(500, "boom", "text/plain") : new PlannedResponse(200, "ok", "text/plain"));
        await using var sp = Host(maxRetryAttempts: 4, retryDelay: TimeSpan.FromSeconds(1));
        var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient(PagerDutyNotifier.HttpClientName);

        var task = client.GetAsync(_receiver.Url("probe"));
        await _time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(1));
        using var response = await task;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(3, _receiver.Requests.Count);
    }

    [Fact]
    public async Task AddPagerDutyTwice_DoesNotNestRetries()
    {
        Respond(_ => new PlannedResponse(502, "bad gateway", "text/plain"));
        await using var sp = Host(maxRetryAttempts: 1, retryDelay: TimeSpan.FromSeconds(1), registerTwice: true);

        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        await _time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(1));
        await task;

        Assert.Equal(2, _receiver.Requests.Count);
    }
}
