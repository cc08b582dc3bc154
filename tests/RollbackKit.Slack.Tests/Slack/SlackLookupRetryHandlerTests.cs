using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Slack.Internal;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.TestSupport;

namespace RollbackKit.Slack.Tests.Slack;

/// <summary>The Slack named client's resilience handler: GET lookups retried with the limits, on fake time; posts untouched.</summary>
public sealed class SlackLookupRetryHandlerTests : IAsyncLifetime
{
    private readonly ObservableFakeTimeProvider _time = new(TestData.Now);
    private LoopbackReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ServiceProvider Host() => TestHost.Build(
        b => b.AddSlack(o =>
        {
            o.BotToken = TestHost.BotToken;
            o.ApiBaseUrl = _receiver.Url("api/");
            o.Channel = "#rollbacks";
            o.MaxAttempts = 3;
            o.MaxRetryAfter = TimeSpan.FromSeconds(20);
            o.RequestTimeout = TimeSpan.FromMinutes(5);
        }),
        _time);

    private void RespondToLookups(Func<int, PlannedResponse> byCall)
    {
        var calls = 0;
        _receiver.Responder = r => r.Path.EndsWith("usergroups.users.list", StringComparison.Ordinal)
            ? byCall(Interlocked.Increment(ref calls))
            : new PlannedResponse(503, "unavailable", "text/plain");
    }

    [Fact]
    public async Task GroupLookup_Transient_IsRetriedAfterOneThenTwoSecondsOfFakeTime()
    {
        RespondToLookups(call => call <= 2 ? new PlannedResponse(503, "unavailable", "text/plain") : new PlannedResponse(200, """{"ok":true,"users":["U0GROUPIE"]}"""));
        await using var sp = Host();

        var task = sp.GetRequiredService<SlackApiClient>().ListGroupMembersAsync("S0APPROVERS", CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        var members = await task;

        Assert.Equal(["U0GROUPIE"], members);
        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Contains("Slack lookup usergroups.users.list retry 2 after HTTP 503, waiting 2s", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupLookup_RateLimited_WaitsRetryAfterCutToTheMaximum()
    {
        RespondToLookups(call => call == 1
            ? new PlannedResponse(429, """{"ok":false,"error":"ratelimited"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "45" })
            : new PlannedResponse(200, """{"ok":true,"users":["U0A","U0B"]}"""));
        await using var sp = Host();

        var task = sp.GetRequiredService<SlackApiClient>().ListGroupMembersAsync("S0APPROVERS", CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(20));
        var members = await task;

        Assert.Equal(["U0A", "U0B"], members);
        Assert.Equal(2, _receiver.Requests.Count);
    }

    [Fact]
    public async Task GroupLookup_AlwaysFailing_StopsAfterMaxAttempts()
    {
        RespondToLookups(_ => new PlannedResponse(500, "boom", "text/plain"));
        await using var sp = Host();

        var task = sp.GetRequiredService<SlackApiClient>().ListGroupMembersAsync("S0APPROVERS", CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        var members = await task;

        Assert.Null(members);
        Assert.Equal(3, _receiver.Requests.Count);
        var logs = sp.AllLogText();
        Assert.DoesNotContain("retry 3", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(TestHost.BotToken, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessagePost_IsNotRetriedByTheHandler()
    {
        RespondToLookups(_ => new PlannedResponse(200, """{"ok":true,"users":[]}"""));
        await using var sp = Host();

        var result = await sp.GetRequiredService<SlackApiClient>().PostMessageAsync("""{"channel":"#rollbacks","text":"x"}"""u8.ToArray(), CancellationToken.None);

        Assert.Equal(SlackCallStatus.Transient, result.Status);
        Assert.Single(_receiver.Requests);
    }
}
