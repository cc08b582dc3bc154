using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Notifications;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Tests.Slack;

public sealed class SlackNotifierTests : IAsyncLifetime
{
    private LoopbackReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ServiceProvider BotHost(FakeTimeProvider? time = null, Action<SlackOptions>? more = null, string? journalPath = null) => TestHost.Build(
        b => b.AddSlack(o =>
        {
            o.BotToken = TestHost.BotToken;
            o.ApiBaseUrl = _receiver.Url("api/");
            o.Channel = "#mrp-rollback";
            o.MinimumMessageInterval = TimeSpan.Zero;
            more?.Invoke(o);
        }),
        time,
        s =>
        {
            if (journalPath is not null)
            {
                s.PostConfigure<RollbackKitOptions>(o => o.Workflow.JournalPath = journalPath);
            }
        });

    [Fact]
    public async Task NotifyAsync_AfterRestartOnTheSameJournal_PostsInTheRollbacksThread()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rbk-slack-" + Guid.NewGuid().ToString("N")[..12]);
        var journal = Path.Combine(dir, "journal.jsonl");
        try
        {
            await using (var first = BotHost(journalPath: journal))
            {
                await first.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Started), CancellationToken.None);
            }

            await using var second = BotHost(journalPath: journal);
            await second.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None);
            await second.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired, rollbackId: "rb-2"), CancellationToken.None);

            var requests = _receiver.Requests;
            Assert.Equal(3, requests.Count);
            Assert.False(requests[0].Json.TryGetProperty("thread_ts", out _));
            Assert.Equal("1700000000.000001", requests[1].Json.GetProperty("thread_ts").GetString());
            Assert.Equal("#mrp-rollback", requests[1].Json.GetProperty("channel").GetString());
            Assert.False(requests[2].Json.TryGetProperty("thread_ts", out _)); // Another rollback still starts its own thread.
            Assert.DoesNotContain(TestHost.BotToken, await File.ReadAllTextAsync(journal), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task NotifyAsync_Fired_PostsBlockKitWithMeasuredValueThresholdTargetAndSeverity()
    {
        await using var sp = BotHost();
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None);

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/chat.postMessage", request.Path);
        Assert.Equal("Bearer " + TestHost.BotToken, request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        var json = request.Json;
        BlockKitAssert.ValidMessage(json);
        Assert.Equal("#mrp-rollback", json.GetProperty("channel").GetString());
        Assert.False(json.TryGetProperty("thread_ts", out _));
        var fallback = json.GetProperty("text").GetString()!;
        Assert.Contains("[P1]", fallback, StringComparison.Ordinal);
        Assert.Contains("payments/checkout", fallback, StringComparison.Ordinal);
        var text = BlockKitAssert.AllText(json);
        Assert.Contains("5.2 vs threshold 0.75", text, StringComparison.Ordinal);
        Assert.Contains("error-rate-regression", text, StringComparison.Ordinal);
        Assert.Contains("`payments/checkout`", text, StringComparison.Ordinal);
        Assert.Contains("P1 (High)", text, StringComparison.Ordinal);
        Assert.Contains("error rate 5.2/min &gt; 0.75/min for 5m", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_SentAndRejected_CountedOnTheRollbackKitMeter()
    {
        await using var sp = BotHost();
        using var collector = new MetricCollector<long>(sp.GetRequiredService<IMeterFactory>(), "RollbackKit", "rollbackkit.notifications");
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None);
        _receiver.Responder = _ => new PlannedResponse(200, """{"ok":false,"error":"channel_not_found"}""");
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Started), CancellationToken.None);

        var outcomes = collector.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!).ToArray();
        Assert.Equal(new[] { "sent", "failed" }, outcomes);
        Assert.All(collector.GetMeasurementSnapshot(), m => Assert.Equal("slack", m.Tags["notifier"]));
    }

    [Fact]
    public async Task NotifyAsync_AwaitingApproval_HasApproveAndHoldButtonsCarryingTheApprovalId()
    {
        await using var sp = BotHost();
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.AwaitingApproval), CancellationToken.None);

        var blocks = BlockKitAssert.ValidMessage(Assert.Single(_receiver.Requests).Json);
        var actions = Assert.Single(blocks, b => b.GetProperty("type").GetString() == "actions");
        var buttons = actions.GetProperty("elements").EnumerateArray().ToArray();
        Assert.Equal(2, buttons.Length);
        Assert.Equal("rollbackkit_approve", buttons[0].GetProperty("action_id").GetString());
        Assert.Equal("primary", buttons[0].GetProperty("style").GetString());
        Assert.Equal("rollbackkit_hold", buttons[1].GetProperty("action_id").GetString());
        Assert.Equal("danger", buttons[1].GetProperty("style").GetString());
        Assert.All(buttons, b => Assert.Equal("appr-rb-1", b.GetProperty("value").GetString()));
    }

    [Theory]
    [InlineData(RollbackEventKind.Fired, "Rollback triggered")]
    [InlineData(RollbackEventKind.AwaitingApproval, "Rollback awaiting approval")]
    [InlineData(RollbackEventKind.Started, "Rollback started")]
    [InlineData(RollbackEventKind.StepCompleted, "Step completed")]
    [InlineData(RollbackEventKind.Progress, "Rollback in progress")]
    [InlineData(RollbackEventKind.Succeeded, "Rollback succeeded")]
    [InlineData(RollbackEventKind.Failed, "Rollback failed")]
    [InlineData(RollbackEventKind.Escalated, "Escalated")]
    [InlineData(RollbackEventKind.Alert, "Alert")]
    [InlineData(RollbackEventKind.Rejected, "Rollback held")]
    [InlineData(RollbackEventKind.Resolved, "Resolved")]
    public async Task NotifyAsync_EveryKind_PostsValidBlockKitWithFallback(RollbackEventKind kind, string title)
    {
        await using var sp = BotHost();
        await sp.Slack().NotifyAsync(TestData.Event(kind, message: "the <details> & more"), CancellationToken.None);

        var json = Assert.Single(_receiver.Requests).Json;
        var blocks = BlockKitAssert.ValidMessage(json);
        Assert.Contains(title, json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("context", blocks[^1].GetProperty("type").GetString());
        Assert.Contains("the &lt;details&gt; &amp; more", BlockKitAssert.AllText(json), StringComparison.Ordinal);
        Assert.Equal(kind == RollbackEventKind.AwaitingApproval, blocks.Any(b => b.GetProperty("type").GetString() == "actions"));
    }

    [Fact]
    public async Task NotifyAsync_MessagesOfOneRollback_GoIntoTheFirstMessagesThread()
    {
        await using var sp = BotHost();
        var slack = sp.Slack();
        foreach (var kind in new[] { RollbackEventKind.Fired, RollbackEventKind.AwaitingApproval, RollbackEventKind.Started, RollbackEventKind.Succeeded })
        {
            await slack.NotifyAsync(TestData.Event(kind), CancellationToken.None);
        }

        await slack.NotifyAsync(TestData.Event(RollbackEventKind.Fired, rollbackId: "rb-2"), CancellationToken.None);

        var requests = _receiver.Requests;
        Assert.Equal(5, requests.Count);
        Assert.False(requests[0].Json.TryGetProperty("thread_ts", out _));
        for (var i = 1; i < 4; i++)
        {
            Assert.Equal("1700000000.000001", requests[i].Json.GetProperty("thread_ts").GetString());
            Assert.Equal("#mrp-rollback", requests[i].Json.GetProperty("channel").GetString());
        }

        Assert.False(requests[4].Json.TryGetProperty("thread_ts", out _)); // Another rollback starts its own thread.
        var succeeded = BlockKitAssert.AllText(requests[3].Json);
        Assert.Contains("*Duration*\n2m 5s", succeeded, StringComparison.Ordinal);
        Assert.Contains("*Health*", succeeded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_IncomingWebhookMode_PostsBlocksToTheWebhookUrlWithoutChannel()
    {
        var webhook = _receiver.Url("services/T000/B000/XXXXWEBHOOKSECRET");
        await using var sp = TestHost.Build(b => b.AddSlack(o =>
        {
            o.WebhookUrl = webhook;
            o.MinimumMessageInterval = TimeSpan.Zero;
        }));
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None);
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Started), CancellationToken.None);

        var requests = _receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("/services/T000/B000/XXXXWEBHOOKSECRET", r.Path);
            Assert.Null(r.Header("Authorization"));
            BlockKitAssert.ValidMessage(r.Json);
            Assert.False(r.Json.TryGetProperty("channel", out _));
            Assert.False(r.Json.TryGetProperty("thread_ts", out _));
        });
    }

    [Fact]
    public async Task NotifyAsync_ChannelPerTargetAndSeverity_RoutesToTheConfiguredChannel()
    {
        await using var sp = BotHost(more: o =>
        {
            o.TargetChannels["payments/checkout"] = "#payments-rollback";
            o.SeverityChannels["P0"] = "#sev0";
        });
        var other = new RollbackTarget("search/api");
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired, "a", RollbackSeverity.Critical), CancellationToken.None);
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired, "b", RollbackSeverity.Critical, other), CancellationToken.None);
        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired, "c", RollbackSeverity.Medium, other), CancellationToken.None);

        Assert.Equal(
            new[] { "#payments-rollback", "#sev0", "#mrp-rollback" },
            _receiver.Requests.Select(r => r.Json.GetProperty("channel").GetString()!).ToArray());
    }

    [Fact]
    public async Task NotifyAsync_Status429_WaitsForRetryAfterThenResends()
    {
        var time = new FakeTimeProvider(TestData.Now);
        var sentAt = new List<DateTimeOffset>();
        var calls = 0;
        _receiver.Responder = r =>
        {
            lock (sentAt)
            {
                sentAt.Add(time.GetUtcNow());
            }

            return Interlocked.Increment(ref calls) == 1
                ? new PlannedResponse(429, """{"ok":false,"error":"ratelimited"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "7" })
                : new PlannedResponse(200, """{"ok":true,"channel":"C1","ts":"1.2"}""");
        };
        await using var sp = BotHost(time, o => o.MinimumMessageInterval = TimeSpan.FromSeconds(1));

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await _receiver.WaitForAsync(1);
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(500));
        await task;

        Assert.Equal(2, _receiver.Requests.Count);
        Assert.True(sentAt[1] - sentAt[0] >= TimeSpan.FromSeconds(7), $"resent after {sentAt[1] - sentAt[0]}");
        Assert.True(sp.Slack().TryGetThread("rb-1", out var thread));
        Assert.Equal("1.2", thread.Ts);
    }

    [Fact]
    public async Task NotifyAsync_TwoMessagesToOneChannel_KeepsOneSecondApartButOtherChannelsDoNotWait()
    {
        var time = new FakeTimeProvider(TestData.Now);
        var sentAt = new List<(string Channel, DateTimeOffset At)>();
        _receiver.Responder = r =>
        {
            lock (sentAt)
            {
                sentAt.Add((r.Json.GetProperty("channel").GetString()!, time.GetUtcNow()));
            }

            return new PlannedResponse(200, """{"ok":true,"channel":"C1","ts":"1.1"}""");
        };
        await using var sp = BotHost(time, o =>
        {
            o.MinimumMessageInterval = TimeSpan.FromSeconds(1);
            o.TargetChannels["search/api"] = "#search";
        });
        var slack = sp.Slack();
        await slack.NotifyAsync(TestData.Event(RollbackEventKind.Fired, "a"), CancellationToken.None);
        var second = slack.NotifyAsync(TestData.Event(RollbackEventKind.Fired, "b"), CancellationToken.None).AsTask();
        await slack.NotifyAsync(TestData.Event(RollbackEventKind.Fired, "c", target: new RollbackTarget("search/api")), CancellationToken.None);
        Assert.False(second.IsCompleted);
        await time.AdvanceUntilAsync(() => second.IsCompleted, TimeSpan.FromMilliseconds(250));
        await second;

        Assert.Equal(3, sentAt.Count);
        var mrp = sentAt.Where(s => s.Channel == "#mrp-rollback").Select(s => s.At).ToArray();
        Assert.True(mrp[1] - mrp[0] >= TimeSpan.FromSeconds(1));
        Assert.Equal(TestData.Now, sentAt.Single(s => s.Channel == "#search").At);
    }

    [Fact]
    public async Task NotifyAsync_ProgressWhileThrottled_ReturnsAtOnceAndOnlyTheLatestProgressIsSent()
    {
        var time = new FakeTimeProvider(TestData.Now);
        await using var sp = BotHost(time, o => o.MinimumMessageInterval = TimeSpan.FromSeconds(1));
        var slack = sp.Slack();
        await slack.NotifyAsync(TestData.Event(RollbackEventKind.Started), CancellationToken.None);
        for (var i = 1; i <= 3; i++)
        {
            // Sequential, as the workflow's notifier queue calls it: each call returns without waiting for the channel.
            var call = slack.NotifyAsync(TestData.Event(RollbackEventKind.Progress, message: "progress " + i), CancellationToken.None);
            Assert.True(call.IsCompleted);
        }

        await time.AdvanceUntilAsync(() => _receiver.Requests.Count >= 2, TimeSpan.FromMilliseconds(250));
        await slack.WhenIdleAsync();

        var requests = _receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Contains("progress 3", requests[1].Json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("1700000000.000001", requests[1].Json.GetProperty("thread_ts").GetString());
    }

    [Fact]
    public async Task NotifyAsync_LaterEventWhileProgressQueued_DropsTheStaleProgress()
    {
        var time = new FakeTimeProvider(TestData.Now);
        await using var sp = BotHost(time, o => o.MinimumMessageInterval = TimeSpan.FromSeconds(1));
        var slack = sp.Slack();
        await slack.NotifyAsync(TestData.Event(RollbackEventKind.Started), CancellationToken.None);
        await slack.NotifyAsync(TestData.Event(RollbackEventKind.Progress, message: "progress 1"), CancellationToken.None);
        var succeeded = slack.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None).AsTask();

        await time.AdvanceUntilAsync(() => succeeded.IsCompleted, TimeSpan.FromMilliseconds(250));
        await succeeded;
        await slack.WhenIdleAsync();

        var texts = _receiver.Requests.Select(r => r.Json.GetProperty("text").GetString()!).ToArray();
        Assert.Equal(2, texts.Length);
        Assert.Contains("Rollback started", texts[0], StringComparison.Ordinal);
        Assert.Contains("Rollback succeeded", texts[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_ReceiverAlwaysReturns500_GivesUpAfterMaxAttemptsWithoutThrowing()
    {
        var time = new FakeTimeProvider(TestData.Now);
        _receiver.Responder = _ => new PlannedResponse(500, "oops", "text/plain");
        await using var sp = BotHost(time, o => o.MaxAttempts = 3);

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(500));
        await task;

        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Contains("dropped after 3 attempts", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_ReceiverNotListening_ReturnsWithoutThrowing()
    {
        var time = new FakeTimeProvider(TestData.Now);
        var closed = new Uri($"http://127.0.0.1:{TestHost.ClosedPort()}/api/");
        await using var sp = BotHost(time, o =>
        {
            o.ApiBaseUrl = closed;
            o.MaxAttempts = 2;
        });

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(500));
        await task;

        Assert.Contains("network_ConnectionError", sp.AllLogText(), StringComparison.Ordinal);
        Assert.Contains("dropped after 2 attempts", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_ReceiverHangs_CallerCancellationEndsTheCall()
    {
        _receiver.Responder = _ => new PlannedResponse(200, Hang: true);
        await using var sp = BotHost();
        using var cts = new CancellationTokenSource();

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), cts.Token).AsTask();
        await _receiver.WaitForAsync(1);
        Assert.False(task.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task NotifyAsync_ReceiverHangs_RequestTimeoutEndsTheCallWithoutThrowing()
    {
        var time = new FakeTimeProvider(TestData.Now);
        _receiver.Responder = _ => new PlannedResponse(200, Hang: true);
        await using var sp = BotHost(time, o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(10);
            o.MaxAttempts = 1;
        });

        var task = sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await _receiver.WaitForAsync(1);
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(1));
        await task;

        Assert.Contains("(timeout, attempt 1)", sp.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_AnyOutcome_NeverLogsTheTokenOrTheWebhookUrl()
    {
        var time = new FakeTimeProvider(TestData.Now);
        var calls = 0;
        _receiver.Responder = _ => (Interlocked.Increment(ref calls) % 3) switch
        {
            1 => new PlannedResponse(500, "x", "text/plain"),
            2 => new PlannedResponse(404, "no_service", "text/plain"),
            _ => new PlannedResponse(200, "ok", "text/plain"),
        };
        await using var webhookHost = TestHost.Build(b => b.AddSlack(o => o.WebhookUrl = _receiver.Url("services/T1/B1/XXXXWEBHOOKSECRET")), time);
        var task = webhookHost.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None).AsTask();
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(500));

        _receiver.Responder = _ => new PlannedResponse(200, """{"ok":false,"error":"invalid_auth"}""");
        await using var botHost = BotHost(time);
        await botHost.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None);

        var logs = webhookHost.AllLogText() + botHost.AllLogText();
        Assert.Contains("no_service", logs, StringComparison.Ordinal);
        Assert.Contains("invalid_auth", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("XXXXWEBHOOKSECRET", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("SeCrEtToKeN", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("services/T1", logs, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_MissingTokenAndWebhook_FailsNamingTheKeyPath()
    {
        using var sp = TestHost.Build(b => b.AddSlack());
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<SlackOptions>>().CurrentValue);
        Assert.Contains("RollbackKit:Slack:BotToken or RollbackKit:Slack:WebhookUrl must be set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_BotTokenWithoutAnyChannel_FailsNamingTheKeyPath()
    {
        using var sp = TestHost.Build(b => b.AddSlack(o => o.BotToken = TestHost.BotToken));
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<SlackOptions>>().CurrentValue);
        Assert.Contains("RollbackKit:Slack:Channel", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestHost.BotToken, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_FromConfiguration_AreBoundFromRollbackKitSlack()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Slack:BotToken"] = TestHost.BotToken,
            ["RollbackKit:Slack:Channel"] = "#mrp-rollback",
            ["RollbackKit:Slack:SeverityChannels:P0"] = "#sev0",
            ["RollbackKit:Slack:Approvers:0"] = "U2CERLKJA",
            ["RollbackKit:Slack:MinimumMessageInterval"] = "00:00:02",
        }).Build();
        using var sp = TestHost.Build(b => b.AddSlack(), more: s => s.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration));
        var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<SlackOptions>>().CurrentValue;
        Assert.Equal("#mrp-rollback", options.Channel);
        Assert.Equal("#sev0", options.SeverityChannels["p0"]);
        Assert.Equal(["U2CERLKJA"], options.Approvers);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MinimumMessageInterval);
    }

    [Fact]
    public void Validation_UnknownSeverityKeyAndBadApprover_FailNamingTheKeyPath()
    {
        using var sp = TestHost.Build(b => b.AddSlack(o =>
        {
            o.BotToken = TestHost.BotToken;
            o.Channel = "#x";
            o.SeverityChannels["urgent"] = "#y";
            o.Approvers.Add("alice");
        }));
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<SlackOptions>>().CurrentValue);
        Assert.Contains("RollbackKit:Slack:SeverityChannels:urgent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Slack:Approvers:0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_BotToken_RecordsAClientSpanPerSlackCallWithoutTheUrl()
    {
        await using var sp = BotHost();
        using var spans = new SpanCollector();

        await sp.Slack().NotifyAsync(TestData.Event(RollbackEventKind.Fired), CancellationToken.None);

        var span = Assert.Single(spans.Spans("rollbackkit.slack.request"));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat.postMessage", span.GetTagItem("slack.operation"));
        Assert.Equal("Ok", span.GetTagItem("rollbackkit.outcome"));
        Assert.DoesNotContain(span.TagObjects, t => t.Value is string s && s.Contains(TestHost.BotToken, StringComparison.Ordinal));
    }
}
