using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Notifications;
using RollbackKit.PagerDuty.Internal;
using RollbackKit.PagerDuty.Tests.Infrastructure;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.PagerDuty.Tests;

/// <summary>
/// The retry limits of the PagerDuty named client's resilience handler, against a loopback Events API. The handler's
/// waits are network time on the system clock, so the host's <see cref="FakeTimeProvider"/> is never advanced here:
/// a retry or an attempt timeout must still happen.
/// </summary>
public sealed class PagerDutyRetryHandlerTests : IAsyncLifetime
{
    private const string RoutingKey = "R0UT1NGKEYSECRET0000000000000000";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly List<long> _sentAt = [];
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
                _sentAt.Add(Stopwatch.GetTimestamp());
                return byCall(_sentAt.Count);
            }
        };
    }

    private TimeSpan Gap(int retry)
    {
        lock (_sentAt)
        {
            return Stopwatch.GetElapsedTime(_sentAt[retry - 1], _sentAt[retry]);
        }
    }

    [Fact]
    public async Task RetryAfter_IsWaitedBeforeTheNextAttempt_WithoutAdvancingTheFakeClock()
    {
        Respond(call => call == 1
            ? new PlannedResponse(429, """{"status":"throttled"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" })
            : new PlannedResponse(202, """{"status":"success"}"""));
        await using var sp = Host(maxRetryAttempts: 3, retryDelay: TimeSpan.FromMilliseconds(10));

        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(2, _receiver.Requests.Count);
        // Retry-After (1 s) wins over the 10 ms backoff.
        Assert.True(Gap(1) >= TimeSpan.FromSeconds(0.95), $"the retry came {Gap(1)} after a Retry-After of 1 s");
        Assert.Contains("PagerDuty trigger sent", sp.AllLogText(), StringComparison.Ordinal);
        Assert.Equal(TestData.Now, _time.GetUtcNow());
    }

    [Fact]
    public async Task AlwaysUnavailable_MakesMaxRetryAttemptsPlusOneAttempts()
    {
        Respond(_ => new PlannedResponse(503, "unavailable", "text/plain"));
        await using var sp = Host(maxRetryAttempts: 2, retryDelay: TimeSpan.FromMilliseconds(20));

        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(3, _receiver.Requests.Count);
        var logs = sp.AllLogText();
        Assert.Contains("PagerDuty request retry 2 after HTTP 503", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("retry 3", logs, StringComparison.Ordinal);
        Assert.Contains("failed with HTTP 503", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangingAttempt_TimesOut_AndIsRetried()
    {
        Respond(call => call == 1 ? new PlannedResponse(202, Hang: true) : new PlannedResponse(202, """{"status":"success"}"""));
        await using var sp = Host(maxRetryAttempts: 1, retryDelay: TimeSpan.FromMilliseconds(10), requestTimeout: TimeSpan.FromSeconds(1));

        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(2, _receiver.Requests.Count);
        // The first attempt got no answer: it was cut by the attempt timeout and retried (the retry log names no HTTP status).
        // How long after the first the second request arrives is wall-clock timing on a shared machine, so it is not asserted.
        Assert.Contains("PagerDuty request retry 1 after HTTP 0", sp.AllLogText(), StringComparison.Ordinal);
        Assert.Contains("PagerDuty trigger sent", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedClient_CarriesTheRetryHandler()
    {
        Respond(call => call <= 2 ? new PlannedResponse(500, "boom", "text/plain") : new PlannedResponse(200, "ok", "text/plain"));
        await using var sp = Host(maxRetryAttempts: 4, retryDelay: TimeSpan.FromMilliseconds(10));
        var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient(PagerDutyNotifier.HttpClientName);

        using var response = await client.GetAsync(_receiver.Url("probe")).WaitAsync(HangGuard);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(3, _receiver.Requests.Count);
    }

    [Fact]
    public async Task AddPagerDutyTwice_DoesNotNestRetries()
    {
        Respond(_ => new PlannedResponse(502, "bad gateway", "text/plain"));
        await using var sp = Host(maxRetryAttempts: 1, retryDelay: TimeSpan.FromMilliseconds(10), registerTwice: true);

        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask().WaitAsync(HangGuard);

        Assert.Equal(2, _receiver.Requests.Count);
    }

    [Fact]
    public async Task HostOnAFakeClock_DisposesWhileARequestIsInFlight()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Responder = _ =>
        {
            entered.TrySetResult();
            return new PlannedResponse(202, Hang: true);
        };
        var sp = Host(maxRetryAttempts: 1, retryDelay: TimeSpan.FromMilliseconds(10), requestTimeout: TimeSpan.FromSeconds(1));
        var notify = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(HangGuard);

        // Disposing drains the handler's in-flight request: on the never-advanced fake clock this wait never ended.
        await sp.DisposeAsync().AsTask().WaitAsync(HangGuard);
        await notify.WaitAsync(HangGuard);
        Assert.Equal(TestData.Now, _time.GetUtcNow());
    }
}
