using RollbackKit.Internal;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using RollbackKit.Notifications;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>
/// Sends escalations to the PagerDuty Events API v2 (<c>trigger</c>) and resolves them when the rollback later
/// succeeds or the escalation is resolved. 429 and 5xx are retried with backoff; 400 is not.
/// </summary>
internal sealed class PagerDutyNotifier : INotifier
{
    public const string HttpClientName = "RollbackKit.PagerDuty";

    /// <summary>The span around one Events API delivery (retries included).</summary>
    public const string SpanName = "rollbackkit.pagerduty.send";

    /// <summary>Span tag: the Events API action, <c>trigger</c> or <c>resolve</c>.</summary>
    public const string EventActionTag = "pagerduty.event_action";

    /// <summary>Span tag: the final HTTP status (0 when no response was received).</summary>
    public const string HttpStatusTag = "http.response.status_code";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptionsMonitor<PagerDutyOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PagerDutyNotifier> _logger;
    private const string DedupKeyState = "dedup_key";

    private readonly ConcurrentDictionary<string, byte> _open = new(StringComparer.Ordinal);

    private readonly IntegrationMetrics _metrics;
    private readonly INotificationStateStore _state;

    public PagerDutyNotifier(
        IHttpClientFactory httpClientFactory,
        IOptionsMonitor<PagerDutyOptions> options,
        TimeProvider timeProvider,
        IntegrationMetrics metrics,
        INotificationStateStore state,
        ILogger<PagerDutyNotifier> logger)
    {
        _state = state;
        _metrics = metrics;
        _httpClientFactory = httpClientFactory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string Name => "pagerduty";

    public async ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollbackEvent);
        var o = _options.CurrentValue;
        if (string.IsNullOrWhiteSpace(o.RoutingKey))
        {
            return;
        }

        var dedupKey = DedupKey(rollbackEvent);
        string action;
        if (rollbackEvent.Kind == RollbackEventKind.Escalated)
        {
            action = "trigger";
        }
        else if ((rollbackEvent.Kind == RollbackEventKind.Succeeded && await IsOpenAsync(rollbackEvent, dedupKey, cancellationToken).ConfigureAwait(false))
                 || rollbackEvent.Kind == RollbackEventKind.Resolved)
        {
            action = "resolve";
        }
        else
        {
            return;
        }

        var body = BuildEvent(rollbackEvent, o, action, dedupKey, _timeProvider.GetUtcNow());
        using var activity = PagerDutyActivitySource.Instance.StartActivity(SpanName, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(RollbackKitTags.Notifier, Name);
            activity.SetTag(RollbackKitTags.TargetId, rollbackEvent.Target.Id);
            activity.SetTag(RollbackKitTags.RollbackId, rollbackEvent.RollbackId);
            activity.SetTag(EventActionTag, action);
        }

        var status = await SendAsync(body, o, cancellationToken).ConfigureAwait(false);
        if (activity is not null)
        {
            activity.SetTag(HttpStatusTag, status);
            activity.SetStatus(status is >= 200 and < 300 ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        }

        if (status is >= 200 and < 300)
        {
            if (action == "trigger")
            {
                _open[dedupKey] = 0;
            }
            else
            {
                _open.TryRemove(dedupKey, out _);
            }

            await RecordAsync(rollbackEvent, action == "trigger" ? dedupKey : null, cancellationToken).ConfigureAwait(false);

            Log.PagerDutySent(_logger, action, dedupKey);
            _metrics.Notification(Name, "sent");
        }
        else
        {
            Log.PagerDutyFailed(_logger, action, dedupKey, status);
            _metrics.Notification(Name, "failed");
        }
    }

    /// <summary>Whether this notifier opened an incident for the rollback, in this process or (from the journal) before a restart.</summary>
    private async ValueTask<bool> IsOpenAsync(RollbackEvent e, string dedupKey, CancellationToken cancellationToken)
    {
        if (_open.ContainsKey(dedupKey))
        {
            return true;
        }

        if (e.RollbackId is null)
        {
            return false;
        }

        try
        {
            return await _state.GetAsync(Name, e.RollbackId, DedupKeyState, cancellationToken).ConfigureAwait(false) == dedupKey;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PagerDutyStateFailed(_logger, e.RollbackId, ex.GetType().Name);
            return false;
        }
    }

    /// <summary>Journals the open incident's dedup key (or clears it once resolved) so a resumed rollback can resolve it.</summary>
    private async ValueTask RecordAsync(RollbackEvent e, string? openDedupKey, CancellationToken cancellationToken)
    {
        if (e.RollbackId is null)
        {
            return;
        }

        try
        {
            await _state.SetAsync(Name, e.RollbackId, e.Target.Id, new Dictionary<string, string?> { [DedupKeyState] = openDedupKey }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PagerDutyStateFailed(_logger, e.RollbackId, ex.GetType().Name);
        }
    }

    /// <summary>The dedup key: one PagerDuty alert per rollback (or per target for events without a rollback).</summary>
    internal static string DedupKey(RollbackEvent e) => "rollbackkit/" + (e.RollbackId ?? e.Target.Id);

    internal static string PagerDutySeverity(RollbackSeverity severity) => severity switch
    {
        RollbackSeverity.Critical => "critical",
        RollbackSeverity.High => "error",
        _ => "warning",
    };

    internal static byte[] BuildEvent(RollbackEvent e, PagerDutyOptions o, string action, string dedupKey, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("routing_key", o.RoutingKey);
            w.WriteString("event_action", action);
            w.WriteString("dedup_key", dedupKey);
            if (action == "trigger")
            {
                var summary = string.Create(CultureInfo.InvariantCulture, $"[{e.Severity.ToPriority()}] RollbackKit: {e.Target.Id}: {e.Message}");
                w.WriteStartObject("payload");
                w.WriteString("summary", summary.Length <= 1024 ? summary : summary[..1024]);
                w.WriteString("source", string.IsNullOrWhiteSpace(o.Source) ? "rollbackkit" : o.Source);
                w.WriteString("severity", PagerDutySeverity(e.Severity));
                w.WriteString("timestamp", (e.Timestamp == default ? now : e.Timestamp).ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("component", e.Target.Id);
                if (e.Target.GetLabel(TargetLabels.Namespace) is { } ns)
                {
                    w.WriteString("group", ns);
                }

                w.WriteString("class", "rollback");
                w.WriteStartObject("custom_details");
                w.WriteString("target", e.Target.Id);
                if (e.RollbackId is not null)
                {
                    w.WriteString("rollback_id", e.RollbackId);
                }

                w.WriteString("priority", e.Severity.ToPriority());
                w.WriteString("message", e.Message);
                if (e.Request is { } request)
                {
                    w.WriteString("trigger_type", request.TriggerType.ToString());
                    w.WriteString("reason", request.Reason);
                    if (request.Evidence is { } evidence)
                    {
                        w.WriteString("trigger", evidence.TriggerName);
                        w.WriteString("condition", evidence.Condition);
                        if (evidence.Actual is { } actual && !double.IsNaN(actual) && !double.IsInfinity(actual))
                        {
                            w.WriteNumber("actual", actual);
                        }

                        if (evidence.Threshold is { } threshold && !double.IsNaN(threshold) && !double.IsInfinity(threshold))
                        {
                            w.WriteNumber("threshold", threshold);
                        }
                    }
                }

                if (e.Duration is { } duration)
                {
                    w.WriteString("elapsed", duration.ToString("c", CultureInfo.InvariantCulture));
                }

                if (e.EvidencePath is not null)
                {
                    w.WriteString("evidence", e.EvidencePath);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteString("client", "RollbackKit");
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Posts the event; retries and the per-attempt timeout are the named client's resilience handler
    /// (<see cref="PagerDutyRetryHandler"/>). Returns the final HTTP status (0 when no response was received).
    /// </summary>
    private async Task<int> SendAsync(byte[] body, PagerDutyOptions o, CancellationToken cancellationToken)
    {
        var baseUrl = o.EventsApiBaseUrl.AbsoluteUri.EndsWith('/') ? o.EventsApiBaseUrl : new Uri(o.EventsApiBaseUrl.AbsoluteUri + "/");
        var uri = new Uri(baseUrl, "v2/enqueue");
        var client = _httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException ex)
        {
            Log.PagerDutyUnreachable(_logger, ex.HttpRequestError.ToString());
            return 0;
        }
        catch (TimeoutRejectedException)
        {
            Log.PagerDutyUnreachable(_logger, "timeout");
            return 0;
        }
    }
}
