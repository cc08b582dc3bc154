using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Notifications;
using RollbackKit.PagerDuty.Tests.Infrastructure;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Triggers;

namespace RollbackKit.PagerDuty.Tests;

public sealed class PagerDutyNotifierTests : IAsyncLifetime
{
    private const string RoutingKey = "R0UT1NGKEYSECRET0000000000000000";
    private LoopbackReceiver _receiver = null!;
    private readonly FakeTimeProvider _time = new(TestData.Now);

    public async Task InitializeAsync() => _receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ServiceProvider Host(string? journalPath = null) => TestHost.Build(
        b => b.AddPagerDuty(o =>
        {
            o.RoutingKey = RoutingKey;
            o.EventsApiBaseUrl = _receiver.BaseUrl;
            o.MaxRetryAttempts = 4;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
        }),
        _time,
        s =>
        {
            if (journalPath is not null)
            {
                s.PostConfigure<RollbackKitOptions>(o => o.Workflow.JournalPath = journalPath);
            }
        });

    [Fact]
    public async Task NotifyAsync_SucceededAfterRestartOnTheSameJournal_ResolvesTheIncidentOpenedBefore()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rbk-pd-" + Guid.NewGuid().ToString("N")[..12]);
        var journal = Path.Combine(dir, "journal.jsonl");
        try
        {
            await using (var first = Host(journal))
            {
                await first.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None);
            }

            await using var second = Host(journal);
            await second.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None);

            var requests = _receiver.Requests;
            Assert.Equal(2, requests.Count);
            Assert.Equal("trigger", requests[0].Json.GetProperty("event_action").GetString());
            Assert.Equal("resolve", requests[1].Json.GetProperty("event_action").GetString());
            Assert.Equal(requests[0].Json.GetProperty("dedup_key").GetString(), requests[1].Json.GetProperty("dedup_key").GetString());
            Assert.Contains("NotifierState", await File.ReadAllTextAsync(journal), StringComparison.Ordinal);
            Assert.DoesNotContain(RoutingKey, await File.ReadAllTextAsync(journal), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task NotifyAsync_Escalated_TriggersEventsApiV2WithDedupKeyAndPayload()
    {
        await using var sp = Host();
        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated, message: "acknowledgement timed out"), CancellationToken.None);

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/enqueue", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        var json = request.Json;
        Assert.Equal(RoutingKey, json.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", json.GetProperty("event_action").GetString());
        Assert.Equal("rollbackkit/rb-1", json.GetProperty("dedup_key").GetString());
        var payload = json.GetProperty("payload");
        Assert.Contains("acknowledgement timed out", payload.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.InRange(payload.GetProperty("summary").GetString()!.Length, 1, 1024);
        Assert.Equal("rollbackkit", payload.GetProperty("source").GetString());
        Assert.Equal("error", payload.GetProperty("severity").GetString());
        Assert.Equal("payments/checkout", payload.GetProperty("component").GetString());
        Assert.True(DateTimeOffset.TryParse(payload.GetProperty("timestamp").GetString(), out _));
        var details = payload.GetProperty("custom_details");
        Assert.Equal("rb-1", details.GetProperty("rollback_id").GetString());
        Assert.Equal(5.2, details.GetProperty("actual").GetDouble());
        Assert.Equal(0.75, details.GetProperty("threshold").GetDouble());
    }

    [Theory]
    [InlineData(RollbackSeverity.Critical, "critical")]
    [InlineData(RollbackSeverity.High, "error")]
    [InlineData(RollbackSeverity.Medium, "warning")]
    public async Task NotifyAsync_Escalated_MapsSeverity(RollbackSeverity severity, string expected)
    {
        await using var sp = Host();
        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated, severity: severity), CancellationToken.None);
        Assert.Equal(expected, Assert.Single(_receiver.Requests).Json.GetProperty("payload").GetProperty("severity").GetString());
    }

    [Fact]
    public async Task NotifyAsync_SucceededAfterEscalation_ResolvesTheSameDedupKey()
    {
        await using var sp = Host();
        var pd = sp.PagerDuty();
        await pd.NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None);
        await pd.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None);
        await pd.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None); // Already resolved: nothing more.

        var requests = _receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("resolve", requests[1].Json.GetProperty("event_action").GetString());
        Assert.Equal("rollbackkit/rb-1", requests[1].Json.GetProperty("dedup_key").GetString());
        Assert.Equal(RoutingKey, requests[1].Json.GetProperty("routing_key").GetString());
    }

    [Theory]
    [InlineData(RollbackEventKind.Fired)]
    [InlineData(RollbackEventKind.Started)]
    [InlineData(RollbackEventKind.Succeeded)]
    [InlineData(RollbackEventKind.AwaitingApproval)]
    public async Task NotifyAsync_NonEscalationWithoutOpenIncident_SendsNothing(RollbackEventKind kind)
    {
        await using var sp = Host();
        await sp.PagerDuty().NotifyAsync(TestData.Event(kind), CancellationToken.None);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task NotifyAsync_Resolved_SendsResolve()
    {
        await using var sp = Host();
        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Resolved), CancellationToken.None);
        Assert.Equal("resolve", Assert.Single(_receiver.Requests).Json.GetProperty("event_action").GetString());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task NotifyAsync_TransientStatus_RetriesWithBackoffUntilAccepted(int status)
    {
        var calls = 0;
        _receiver.Responder = _ =>
        {
            return Interlocked.Increment(ref calls) <= 2
                ? new PlannedResponse(status, """{"status":"error"}""")
                : new PlannedResponse(202, """{"status":"success","dedup_key":"rollbackkit/rb-1"}""");
        };
        await using var sp = Host();

        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        // Retries wait on the system clock (network time): the fake clock is never advanced.
        await task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, _receiver.Requests.Count);
        var logs = sp.AllLogText();
        Assert.Contains($"PagerDuty request retry 2 after HTTP {status}", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("retry 3", logs, StringComparison.Ordinal);
        Assert.Contains("PagerDuty trigger sent", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_Status400_IsNotRetried()
    {
        _receiver.Responder = _ => new PlannedResponse(400, """{"status":"invalid event","errors":["'payload.summary' is missing"]}""");
        await using var sp = Host();

        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None);

        Assert.Single(_receiver.Requests);
        var logs = sp.AllLogText();
        Assert.Contains("failed with HTTP 400", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_AlwaysFailing_GivesUpAfterMaxRetriesWithoutThrowing()
    {
        _receiver.Responder = _ => new PlannedResponse(502, "bad gateway", "text/plain");
        await using var sp = Host();

        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        // Retries wait on the system clock (network time): the fake clock is never advanced.
        await task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(5, _receiver.Requests.Count);
        Assert.Contains("failed with HTTP 502", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_NotListening_GivesUpWithoutThrowing()
    {
        await using var sp = TestHost.Build(
            b => b.AddPagerDuty(o =>
            {
                o.RoutingKey = RoutingKey;
                o.EventsApiBaseUrl = new Uri($"http://127.0.0.1:{TestHost.ClosedPort()}/");
                o.MaxRetryAttempts = 1;
                o.RetryDelay = TimeSpan.FromMilliseconds(10);
            }),
            _time);

        var task = sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated), CancellationToken.None).AsTask();
        // Retries wait on the system clock (network time): the fake clock is never advanced.
        await task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains("PagerDuty unreachable", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_Escalated_RecordsAClientSpanWithActionAndStatus()
    {
        await using var sp = Host();
        using var spans = new SpanCollector();

        await sp.PagerDuty().NotifyAsync(TestData.Event(RollbackEventKind.Escalated, rollbackId: "rb-span"), CancellationToken.None);

        var span = Assert.Single(spans.Spans("rollbackkit.pagerduty.send"));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("pagerduty", span.GetTagItem("rollbackkit.notifier.name"));
        Assert.Equal("rb-span", span.GetTagItem("rollbackkit.rollback.id"));
        Assert.Equal("payments/checkout", span.GetTagItem("rollbackkit.target.id"));
        Assert.Equal("trigger", span.GetTagItem("pagerduty.event_action"));
        Assert.Equal(202, span.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Ok, span.Status);
    }
}
