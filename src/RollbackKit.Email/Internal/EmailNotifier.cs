using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using RollbackKit.Internal;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Redaction;
using RollbackKit.Telemetry;

namespace RollbackKit.Email.Internal;

/// <summary>
/// Mails one summary per finished rollback (rolled back, failed, rejected, needs attention) to the configured recipients.
/// The steps and verification come from the rollback's audit record, which the workflow journals before it notifies.
/// A failing or slow SMTP server is logged and counted, never thrown: only the caller's cancellation ends a call early.
/// </summary>
internal sealed class EmailNotifier : INotifier
{
    /// <summary>The span around one mail (connect, authenticate, send).</summary>
    public const string SpanName = "rollbackkit.email.send";

    /// <summary>Span tag: the rollback's result.</summary>
    public const string ResultTag = "rollbackkit.rollback.result";

    private readonly IOptionsMonitor<EmailOptions> _options;
    private readonly IRollbackJournal _journal;
    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _timeProvider;
    private readonly IntegrationMetrics _metrics;
    private readonly ILogger<EmailNotifier> _logger;

    public EmailNotifier(
        IOptionsMonitor<EmailOptions> options,
        IRollbackJournal journal,
        SecretRedactor redactor,
        TimeProvider timeProvider,
        IntegrationMetrics metrics,
        ILogger<EmailNotifier> logger)
    {
        _options = options;
        _journal = journal;
        _redactor = redactor;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
    }

    public string Name => "email";

    public async ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollbackEvent);
        if (rollbackEvent.RollbackId is not { } rollbackId
            || rollbackEvent.Kind is not (RollbackEventKind.Succeeded or RollbackEventKind.Failed or RollbackEventKind.Rejected or RollbackEventKind.Escalated))
        {
            return;
        }

        var audit = await FindAuditAsync(rollbackEvent, rollbackId, cancellationToken).ConfigureAwait(false);
        RollbackState? result = rollbackEvent.Kind switch
        {
            RollbackEventKind.Succeeded => RollbackState.RolledBack,
            RollbackEventKind.Failed => RollbackState.RollbackFailed,
            RollbackEventKind.Rejected => RollbackState.Rejected,

            // Escalations also come from acknowledgement timeouts (still running) and after a failure (mailed with Failed):
            // only the escalation of an abandoned rollback ends it.
            _ => audit?.State == RollbackState.NeedsAttention ? RollbackState.NeedsAttention : null,
        };
        if (result is not { } state)
        {
            return;
        }

        var options = _options.CurrentValue;
        if (options.Results.Count > 0 && !options.Results.Contains(state))
        {
            Log.EmailSkipped(_logger, rollbackId, state);
            return;
        }

        var summary = new RollbackSummary { RollbackId = rollbackId, Result = state, Event = rollbackEvent, Audit = audit };
        using var message = EmailMessageBuilder.Build(summary, options, _timeProvider.GetUtcNow(), _redactor);
        using var activity = EmailActivitySource.Instance.StartActivity(SpanName, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(RollbackKitTags.Notifier, Name);
            activity.SetTag(RollbackKitTags.TargetId, rollbackEvent.Target.Id);
            activity.SetTag(RollbackKitTags.RollbackId, rollbackId);
            activity.SetTag(ResultTag, state.ToString());
        }

        var sent = await SendAsync(message, options, rollbackId, cancellationToken).ConfigureAwait(false);
        activity?.SetStatus(sent ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        if (sent)
        {
            Log.EmailSent(_logger, rollbackId, state, rollbackEvent.Target.Id, message.To.Count);
        }

        _metrics.Notification(Name, sent ? "sent" : "failed");
    }

    /// <summary>The rollback's audit record (journaled before the final event is published), or <see langword="null"/>.</summary>
    private async ValueTask<RollbackAuditRecord?> FindAuditAsync(RollbackEvent e, string rollbackId, CancellationToken cancellationToken)
    {
        try
        {
            var entries = await _journal.ReadAsync(e.Target.Id, cancellationToken).ConfigureAwait(false);
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                var entry = entries[i];
                if (entry.Kind == JournalEntryKind.Completed && string.Equals(entry.RollbackId, rollbackId, StringComparison.Ordinal))
                {
                    return entry.Audit;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EmailJournalUnavailable(_logger, rollbackId, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Connects, authenticates when a user name is set, sends and disconnects, within <see cref="EmailOptions.Timeout"/>.</summary>
    private async ValueTask<bool> SendAsync(MimeMessage message, EmailOptions options, string rollbackId, CancellationToken cancellationToken)
    {
        var host = options.Host ?? string.Empty;
        var port = EmailAddresses.Port(options);
        using var timeout = new CancellationTokenSource(options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var client = new SmtpClient();

        // The TimeProvider-driven token is the timeout; the socket timeout only bounds a transport that ignores it.
        client.Timeout = (int)Math.Min(int.MaxValue, options.Timeout.TotalMilliseconds);
        try
        {
            await client.ConnectAsync(host, port, Secure(options.Security), linked.Token).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? string.Empty, linked.Token).ConfigureAwait(false);
            }

            await client.SendAsync(message, linked.Token).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.EmailCancelled(_logger, rollbackId);
            _metrics.Notification(Name, "failed");
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Log.EmailTimedOut(_logger, rollbackId, host, port, options.Timeout);
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.EmailFailed(_logger, rollbackId, host, port, ex.GetType().Name, _redactor.Redact(ex.Message) ?? string.Empty);
            return false;
        }
    }

    private static SecureSocketOptions Secure(EmailSecurity security) => security switch
    {
        EmailSecurity.None => SecureSocketOptions.None,
        EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
