using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Webhooks;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Alertmanager;

/// <summary>
/// Turns firing Alertmanager alerts that carry the configured selector labels into rollback requests for the target
/// the alert's labels name. Each alert fingerprint dispatches at most once; resolved alerts are only recorded.
/// </summary>
internal sealed class AlertmanagerWebhookHandler : IInboundWebhookHandler
{
    private readonly IRollbackDispatcher _dispatcher;
    private readonly IRollbackTargetCatalog _catalog;
    private readonly AlertmanagerSignalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PrometheusInstrumentation _instrumentation;
    private readonly byte[]? _expectedTokenHash;
    private readonly byte[]? _expectedBasicHash;
    private readonly ConcurrentDictionary<string, byte> _dispatched = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _dispatchOrder = new();

    public AlertmanagerWebhookHandler(
        IRollbackDispatcher dispatcher,
        IRollbackTargetCatalog catalog,
        IOptions<AlertmanagerSignalOptions> options,
        TimeProvider time,
        ILogger<AlertmanagerWebhookHandler> logger,
        PrometheusInstrumentation instrumentation)
    {
        _dispatcher = dispatcher;
        _catalog = catalog;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _instrumentation = instrumentation;
        if (!string.IsNullOrEmpty(_options.BearerToken))
        {
            _expectedTokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(_options.BearerToken));
        }

        if (!string.IsNullOrEmpty(_options.Username) && !string.IsNullOrEmpty(_options.Password))
        {
            _expectedBasicHash = SHA256.HashData(Encoding.UTF8.GetBytes(_options.Username + ":" + _options.Password));
        }
    }

    public string Name => "alertmanager";

    public async ValueTask<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((_expectedTokenHash is not null || _expectedBasicHash is not null || !_options.AllowAnonymous) && !IsAuthorized(request))
        {
            Log.WebhookRejected(_logger, "missing or wrong credentials (bearer token or basic authentication)");
            return new WebhookResponse(401, """{"error":"unauthorized"}""");
        }

        if (!WebhookBody.TryValidateJson(request.Body.Span, out var problem))
        {
            Log.WebhookRejected(_logger, "undecodable body");
            return BadRequest(problem);
        }

        AlertmanagerPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(request.Body.Span, AlertmanagerJsonContext.Default.AlertmanagerPayload);
        }
        catch (JsonException ex)
        {
            Log.WebhookRejected(_logger, "malformed JSON");
            return BadRequest(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"malformed Alertmanager payload at {ex.Path ?? "$"} (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1} of that line)"));
        }

        if (payload?.Alerts is null)
        {
            Log.WebhookRejected(_logger, "no alerts array");
            return BadRequest("malformed Alertmanager payload: no \"alerts\" array");
        }

        if (payload.Version is not null && payload.Version != "4")
        {
            Log.WebhookRejected(_logger, "unsupported payload version");
            return BadRequest($"unsupported Alertmanager payload version '{payload.Version}'; expected '4'");
        }

        int dispatched = 0, duplicates = 0, resolved = 0, unmatched = 0, ignored = 0, failed = 0;
        foreach (var alert in payload.Alerts)
        {
            if (alert is null)
            {
                continue;
            }

            var labels = alert.Labels ?? new Dictionary<string, string>(StringComparer.Ordinal);
            labels.TryGetValue("alertname", out var alertName);
            var fingerprint = string.IsNullOrEmpty(alert.Fingerprint) ? ComputeFingerprint(labels) : alert.Fingerprint;
            var status = alert.Status ?? payload.Status;
            if (string.Equals(status, "resolved", StringComparison.OrdinalIgnoreCase))
            {
                resolved++;
                Count("resolved");
                Log.AlertResolved(_logger, fingerprint, alertName);
                continue;
            }

            if (!string.Equals(status, "firing", StringComparison.OrdinalIgnoreCase) || !MatchesSelectors(labels))
            {
                ignored++;
                Count("ignored");
                continue;
            }

            if (!_catalog.TryMatch(labels, out var target))
            {
                unmatched++;
                Count("unmatched");
                Log.AlertUnmatched(_logger, fingerprint, alertName);
                continue;
            }

            if (!_dispatched.TryAdd(fingerprint, 0))
            {
                duplicates++;
                Count("duplicate");
                Log.AlertDuplicate(_logger, fingerprint);
                continue;
            }

            var rollbackRequest = new RollbackRequest
            {
                Target = target,
                TriggerType = RollbackTriggerType.Alert,
                Severity = labels.TryGetValue(_options.SeverityLabel, out var severityText) && RollbackSeverityExtensions.TryParse(severityText, out var severity)
                    ? severity
                    : _options.DefaultSeverity,
                Reason = ReasonFor(alert, alertName),
                RequestedBy = "alertmanager",
                DeduplicationKey = fingerprint,
                Details = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                RequestedAt = _time.GetUtcNow(),
            };
            try
            {
                var result = await _dispatcher.DispatchAsync(rollbackRequest, cancellationToken).ConfigureAwait(false);
                Remember(fingerprint);
                if (result.Status == DispatchStatus.Duplicate)
                {
                    duplicates++;
                    Count("duplicate");
                }
                else
                {
                    dispatched++;
                    Count("dispatched");
                }

                Log.AlertDispatched(_logger, fingerprint, alertName, target.Id, result.Status);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Forget it so that Alertmanager's retry can dispatch it again.
                _dispatched.TryRemove(fingerprint, out _);
                failed++;
                Count("failed");
                Log.AlertDispatchFailed(_logger, ex, fingerprint);
            }
        }

        var body = $$"""{"dispatched":{{dispatched}},"duplicates":{{duplicates}},"resolved":{{resolved}},"unmatched":{{unmatched}},"ignored":{{ignored}},"failed":{{failed}}}""";
        return new WebhookResponse(failed > 0 ? 500 : 200, body);
    }

    private static WebhookResponse BadRequest(string message) => WebhookBody.BadRequest(message);

    private void Count(string outcome) =>
        _instrumentation.Alerts.Add(1, new KeyValuePair<string, object?>(PrometheusInstrumentation.OutcomeTag, outcome));

    private bool IsAuthorized(WebhookRequest request)
    {
        if (!request.Headers.TryGetValue("Authorization", out var header))
        {
            return false;
        }

        var value = header.AsSpan().Trim();
        if (_expectedTokenHash is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value[7..].Trim().ToString()));
            return CryptographicOperations.FixedTimeEquals(presented, _expectedTokenHash);
        }

        if (_expectedBasicHash is not null && value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var encoded = value[6..].Trim();
            var decoded = new byte[(encoded.Length / 4 * 3) + 3];
            if (!Convert.TryFromBase64Chars(encoded, decoded, out var written))
            {
                return false;
            }

            var presented = SHA256.HashData(decoded.AsSpan(0, written));
            return CryptographicOperations.FixedTimeEquals(presented, _expectedBasicHash);
        }

        return false;
    }

    private bool MatchesSelectors(Dictionary<string, string> labels)
    {
        foreach (var selector in _options.Selectors)
        {
            if (!labels.TryGetValue(selector.Key, out var value) || !string.Equals(value, selector.Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void Remember(string fingerprint)
    {
        _dispatchOrder.Enqueue(fingerprint);
        while (_dispatchOrder.Count > Math.Max(1, _options.MaxRememberedFingerprints) && _dispatchOrder.TryDequeue(out var oldest))
        {
            _dispatched.TryRemove(oldest, out _);
        }
    }

    private static string ReasonFor(AlertmanagerAlert alert, string? alertName)
    {
        var annotations = alert.Annotations;
        if (annotations is not null)
        {
            if (annotations.TryGetValue("summary", out var summary) && !string.IsNullOrWhiteSpace(summary))
            {
                return summary;
            }

            if (annotations.TryGetValue("description", out var description) && !string.IsNullOrWhiteSpace(description))
            {
                return description;
            }
        }

        return $"Alertmanager alert {alertName ?? "(unnamed)"} is firing";
    }

    /// <summary>A stable fingerprint from the sorted labels, for payloads without one.</summary>
    internal static string ComputeFingerprint(IReadOnlyDictionary<string, string> labels)
    {
        var builder = new StringBuilder();
        foreach (var pair in labels.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            builder.Append(pair.Key).Append('\u00ff').Append(pair.Value).Append('\u00ff');
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
