using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Email.Tests.Infrastructure;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.Email.Tests;

public sealed class EmailNotifierTests : IAsyncLifetime
{
    private readonly ObservableFakeTimeProvider _time = new(TestData.Now);
    private SmtpSink _sink = null!;

    public async Task InitializeAsync() => _sink = await SmtpSink.StartAsync();

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    private EmailTestHost Host(Action<EmailOptions>? more = null, int? port = null, Action<IServiceCollection>? services = null) => new(
        o =>
        {
            o.Host = "127.0.0.1";
            o.Port = port ?? _sink.Port;
            o.Security = EmailSecurity.None;
            o.From = "RollbackKit <rollbackkit@example.com>";
            o.To.Add("oncall@example.com");
            o.To.Add("Release Managers <releases@example.com>");
            more?.Invoke(o);
        },
        _time,
        services);

    [Fact]
    public async Task NotifyAsync_Succeeded_MailsTheSummaryToEveryRecipient()
    {
        await using var host = Host();
        await host.CompleteAsync(RollbackState.RolledBack, evidencePath: "/var/rollbackkit/evidence/rb-1.zip");

        await host.Notifier.NotifyAsync(With(TestData.Event(RollbackEventKind.Succeeded), "/var/rollbackkit/evidence/rb-1.zip"), CancellationToken.None);

        var mail = await _sink.NextAsync();
        Assert.Equal("[RollbackKit] Rolled back: payments/checkout", mail.Message.Subject);
        Assert.Equal("rollbackkit@example.com", mail.MailFrom);
        Assert.Equal(["oncall@example.com", "releases@example.com"], mail.RcptTos);
        Assert.Equal(["oncall@example.com", "releases@example.com"], mail.Message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("rb-1", mail.Message.Headers["X-RollbackKit-Rollback-Id"]);
        Assert.Equal(TestData.Now, mail.Message.Date);
        foreach (var body in new[] { mail.Text, mail.Html })
        {
            Assert.Contains("payments/checkout", body, StringComparison.Ordinal);
            Assert.Contains("error-rate-regression (MetricTrigger)", body, StringComparison.Ordinal);
            Assert.Contains("canary_error_rate = 5.2", body, StringComparison.Ordinal);
            Assert.Contains("5.2 / 0.75", body, StringComparison.Ordinal);
            Assert.Contains("Rolled back: RolledBack outcome", body, StringComparison.Ordinal);
            Assert.Contains("2m 5s", body, StringComparison.Ordinal);
            Assert.Contains("undo-rollout (kubernetes.undo): succeeded in 12.5s after 2 attempts", body, StringComparison.Ordinal);
            Assert.Contains("passed (3/3 checks)", body, StringComparison.Ordinal);
            Assert.Contains("/var/rollbackkit/evidence/rb-1.zip", body, StringComparison.Ordinal);
        }

        Assert.Matches(@"Requested by:\s+error-rate-regression", mail.Text);
        Assert.Equal(1, host.Count("sent"));
        Assert.Contains("mailed to 2 recipients", host.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_ValuesWithMarkup_AreHtmlEncodedInTheHtmlBodyAndVerbatimInTheText()
    {
        await using var host = Host();
        await host.CompleteAsync(RollbackState.RollbackFailed);
        var e = TestData.Event(RollbackEventKind.Failed);
        var hostile = new RollbackEvent
        {
            Kind = e.Kind,
            RollbackId = e.RollbackId,
            Target = e.Target,
            Message = e.Message,
            Timestamp = e.Timestamp,
            Request = new RollbackRequest
            {
                Target = e.Target,
                TriggerType = RollbackTriggerType.Manual,
                Reason = "<script>alert('x')</script> & \"quotes\"",
                RequestedBy = "<b>mallory</b>",
            },
        };

        await host.Notifier.NotifyAsync(hostile, CancellationToken.None);

        var mail = await _sink.NextAsync();
        Assert.Equal("[RollbackKit] Rollback failed: payments/checkout", mail.Message.Subject);
        Assert.Contains("<script>alert('x')</script> & \"quotes\"", mail.Text, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;mallory&lt;/b&gt;", mail.Html, StringComparison.Ordinal);
        Assert.Contains("HTTP 503 &lt;from&gt; upstream", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("check-health (http): failed in 3s: HTTP 503 <from> upstream", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_EvidenceBaseUrlAndSubjectTemplate_LinkTheBundleAndFillTheSubject()
    {
        await using var host = Host(o =>
        {
            o.EvidenceBaseUrl = new Uri("https://rollbacks.example.com/evidence/");
            o.Subject = "{Severity} {Result} {Target} by {Trigger} ({RollbackId})";
        });
        await host.CompleteAsync(RollbackState.RolledBack);

        await host.Notifier.NotifyAsync(With(TestData.Event(RollbackEventKind.Succeeded), "/data/evidence/rb 1.zip"), CancellationToken.None);

        var mail = await _sink.NextAsync();
        Assert.Equal("P1 Rolled back payments/checkout by error-rate-regression (rb-1)", mail.Message.Subject);
        Assert.Contains("<a href=\"https://rollbacks.example.com/evidence/rb%201.zip\">", mail.Html, StringComparison.Ordinal);
        Assert.Contains("https://rollbacks.example.com/evidence/rb%201.zip", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_ResultNotSelected_MailsNothingForIt()
    {
        await using var host = Host(o => o.Results.Add(RollbackState.RollbackFailed));
        await host.CompleteAsync(RollbackState.RolledBack, "rb-ok");
        await host.CompleteAsync(RollbackState.RollbackFailed, "rb-bad");

        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded, rollbackId: "rb-ok"), CancellationToken.None);
        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Failed, rollbackId: "rb-bad"), CancellationToken.None);

        // Mails arrive in order: the first one delivered is the failure, so the success was never sent.
        Assert.Equal("rb-bad", (await _sink.NextAsync()).Message.Headers["X-RollbackKit-Rollback-Id"]);
        Assert.Equal(1, host.Count("sent"));
        Assert.Contains("not among the results to mail", host.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_OnlyFinalEventsMailOnce_EscalationAfterFailureAndAcknowledgementTimeoutAreNotMailed()
    {
        await using var host = Host();
        await host.CompleteAsync(RollbackState.RollbackFailed, "rb-failed");
        await host.CompleteAsync(RollbackState.NeedsAttention, "rb-abandoned");
        var notifier = host.Notifier;

        foreach (var kind in new[] { RollbackEventKind.Fired, RollbackEventKind.Started, RollbackEventKind.StepCompleted, RollbackEventKind.Progress, RollbackEventKind.Escalated })
        {
            await notifier.NotifyAsync(TestData.Event(kind, rollbackId: "rb-running"), CancellationToken.None); // still running: no audit record
        }

        await notifier.NotifyAsync(TestData.Event(RollbackEventKind.Failed, rollbackId: "rb-failed"), CancellationToken.None);
        await notifier.NotifyAsync(TestData.Event(RollbackEventKind.Escalated, rollbackId: "rb-failed"), CancellationToken.None);
        await notifier.NotifyAsync(TestData.Event(RollbackEventKind.Escalated, rollbackId: "rb-abandoned"), CancellationToken.None);

        var first = await _sink.NextAsync();
        var second = await _sink.NextAsync();
        Assert.Equal("[RollbackKit] Rollback failed: payments/checkout", first.Message.Subject);
        Assert.Equal("[RollbackKit] Needs attention: payments/checkout", second.Message.Subject);
        Assert.Equal("rb-abandoned", second.Message.Headers["X-RollbackKit-Rollback-Id"]);
        Assert.Equal(2, host.Count("sent"));
    }

    [Fact]
    public async Task NotifyAsync_SmtpServerDown_LogsAndCountsTheFailureWithoutThrowing()
    {
        await using var host = Host(port: EmailTestHost.ClosedPort());
        await host.CompleteAsync(RollbackState.RolledBack);

        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None);

        Assert.Equal(1, host.Count("failed"));
        Assert.Equal(0, host.Count("sent"));
        Assert.Contains("8002 Mailing the rollback summary of rb-1 through 127.0.0.1:", host.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_StartTlsRequiredButNotOffered_RefusesToSendInClearText()
    {
        await using var host = Host(o => o.Security = EmailSecurity.StartTls);
        await host.CompleteAsync(RollbackState.RolledBack, "rb-tls");
        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded, rollbackId: "rb-tls"), CancellationToken.None);

        Assert.Equal(1, host.Count("failed"));
        Assert.Contains("STARTTLS", host.LogText, StringComparison.Ordinal);

        // The server works: the same mail without TLS arrives, and it is the first one it received.
        await using var plain = Host();
        await plain.CompleteAsync(RollbackState.RolledBack, "rb-plain");
        await plain.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded, rollbackId: "rb-plain"), CancellationToken.None);
        Assert.Equal("rb-plain", (await _sink.NextAsync()).Message.Headers["X-RollbackKit-Rollback-Id"]);
    }

    [Fact]
    public async Task NotifyAsync_ServerNeverAnswers_GivesUpAfterTheTimeoutOnTheTimeProvider()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // Accepts connections (backlog) but never sends the SMTP greeting.
        await using var host = Host(o => o.Timeout = TimeSpan.FromSeconds(7), port: ((IPEndPoint)silent.LocalEndpoint).Port);
        await host.CompleteAsync(RollbackState.RolledBack);

        var send = host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None).AsTask();
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(7));
        await send.WaitAsync(ObservableFakeTimeProvider.WaitLimit);

        Assert.Equal(1, host.Count("failed"));
        Assert.Contains("8003 Mailing the rollback summary of rb-1 through 127.0.0.1:", host.LogText, StringComparison.Ordinal);
        Assert.Contains("timed out after 00:00:07", host.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_CallerCancels_ThrowsAndCountsTheFailure()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        await using var host = Host(port: ((IPEndPoint)silent.LocalEndpoint).Port);
        await host.CompleteAsync(RollbackState.RolledBack);
        using var cts = new CancellationTokenSource();

        var send = host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), cts.Token).AsTask();
        await _time.WaitForTimerAsync(new EmailOptions().Timeout); // The mail is under way.
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(ObservableFakeTimeProvider.WaitLimit));
        Assert.Equal(1, host.Count("failed"));
        Assert.Contains("8006 Mailing the rollback summary of rb-1 was cancelled", host.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_JournalUnreadable_StillMailsTheSummaryWithoutSteps()
    {
        await using var host = Host(services: static s => s.AddSingleton<IRollbackJournal, UnreadableJournal>());

        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Failed), CancellationToken.None);

        var mail = await _sink.NextAsync();
        Assert.Equal("[RollbackKit] Rollback failed: payments/checkout", mail.Message.Subject);
        Assert.Contains("canary_error_rate = 5.2", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Steps:\n  (not available: the journal could not be read)", mail.Text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("8005 Reading the audit record of rollback rb-1 from the journal failed (IOException)", host.LogText, StringComparison.Ordinal);
    }

    private sealed class UnreadableJournal : IRollbackJournal
    {
        public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default) =>
            throw new IOException("disk gone");
    }

    private static RollbackEvent With(RollbackEvent e, string evidencePath) => new()
    {
        Kind = e.Kind,
        RollbackId = e.RollbackId,
        Target = e.Target,
        Severity = e.Severity,
        Message = e.Message,
        Timestamp = e.Timestamp,
        Request = e.Request,
        Duration = e.Duration,
        EvidencePath = evidencePath,
    };
}
