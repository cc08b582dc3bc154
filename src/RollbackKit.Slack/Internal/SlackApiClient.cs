using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RollbackKit.Telemetry;

namespace RollbackKit.Slack.Internal;

/// <summary>What happened to one HTTP call to Slack.</summary>
internal enum SlackCallStatus
{
    Ok,
    RateLimited,
    Transient,
    Failed,
}

/// <summary>The result of one HTTP call to Slack.</summary>
/// <param name="Status">Outcome class.</param>
/// <param name="Ts">The message timestamp (chat.postMessage).</param>
/// <param name="Channel">The channel id Slack reported.</param>
/// <param name="RetryAfter">The <c>Retry-After</c> delay on 429.</param>
/// <param name="Error">A Slack error code or HTTP status text (never a secret).</param>
/// <param name="Users">The <c>users</c> array of the response, when present.</param>
internal readonly record struct SlackCallResult(SlackCallStatus Status, string? Ts, string? Channel, TimeSpan? RetryAfter, string? Error, IReadOnlyList<string>? Users = null);

/// <summary>Talks HTTP to Slack. The token and webhook URL are never put into exceptions or logs.</summary>
internal sealed class SlackApiClient(IHttpClientFactory httpClientFactory, IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider)
{
    public const string HttpClientName = "RollbackKit.Slack";

    /// <summary>The span around one HTTP call to Slack.</summary>
    public const string SpanName = "rollbackkit.slack.request";

    /// <summary>Span tag: the Web API method (<c>chat.postMessage</c>, …), <c>incoming_webhook</c> or <c>response_url</c>.</summary>
    public const string OperationTag = "slack.operation";

    private SlackOptions Options => options.CurrentValue;

    public bool BotMode => !string.IsNullOrWhiteSpace(Options.BotToken);

    /// <summary>Posts a message: <c>chat.postMessage</c> with the bot token, else the incoming webhook.</summary>
    public Task<SlackCallResult> PostMessageAsync(byte[] body, CancellationToken cancellationToken)
    {
        var o = Options;
        if (!string.IsNullOrWhiteSpace(o.BotToken))
        {
            return SendWebApiAsync(HttpMethod.Post, "chat.postMessage", body, cancellationToken);
        }

        if (o.WebhookUrl is null)
        {
            return Task.FromResult(new SlackCallResult(SlackCallStatus.Failed, null, null, null, "not_configured"));
        }

        return SendAsync("incoming_webhook", o.WebhookUrl, HttpMethod.Post, body, bearer: null, webApi: false, cancellationToken);
    }

    /// <summary>Calls a Web API method with the bot token.</summary>
    public Task<SlackCallResult> SendWebApiAsync(HttpMethod method, string apiMethodAndQuery, byte[]? body, CancellationToken cancellationToken)
    {
        var o = Options;
        var baseUrl = o.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? o.ApiBaseUrl : new Uri(o.ApiBaseUrl.AbsoluteUri + "/");
        var query = apiMethodAndQuery.IndexOf('?', StringComparison.Ordinal);
        var operation = query < 0 ? apiMethodAndQuery : apiMethodAndQuery[..query];
        return SendAsync(operation, new Uri(baseUrl, apiMethodAndQuery), method, body, o.BotToken, webApi: true, cancellationToken);
    }

    /// <summary>Lists the user ids of a user group (<c>usergroups.users.list</c>), or null on failure.</summary>
    public async Task<IReadOnlyList<string>?> ListGroupMembersAsync(string groupId, CancellationToken cancellationToken)
    {
        var result = await SendWebApiAsync(
            HttpMethod.Get, "usergroups.users.list?usergroup=" + Uri.EscapeDataString(groupId), null, cancellationToken).ConfigureAwait(false);
        return result.Status == SlackCallStatus.Ok ? result.Users ?? [] : null;
    }

    /// <summary>Posts to an interaction's <c>response_url</c>.</summary>
    public Task<SlackCallResult> PostToResponseUrlAsync(Uri responseUrl, byte[] body, CancellationToken cancellationToken) =>
        SendAsync("response_url", responseUrl, HttpMethod.Post, body, bearer: null, webApi: false, cancellationToken);

    /// <summary>One call, inside a <see cref="SpanName"/> span tagged with the operation (never the URL: it may carry a secret).</summary>
    private async Task<SlackCallResult> SendAsync(string operation, Uri uri, HttpMethod method, byte[]? body, string? bearer, bool webApi, CancellationToken cancellationToken)
    {
        using var activity = SlackActivitySource.Instance.StartActivity(SpanName, ActivityKind.Client);
        activity?.SetTag(OperationTag, operation);
        var result = await SendCoreAsync(uri, method, body, bearer, webApi, cancellationToken).ConfigureAwait(false);
        if (activity is not null)
        {
            activity.SetTag(RollbackKitTags.Outcome, result.Status.ToString());
            if (result.Status != SlackCallStatus.Ok)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }

        return result;
    }

    private async Task<SlackCallResult> SendCoreAsync(Uri uri, HttpMethod method, byte[]? body, string? bearer, bool webApi, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return new SlackCallResult(SlackCallStatus.RateLimited, null, null, RetryAfter(response), "rate_limited");
            }

            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
            {
                return new SlackCallResult(SlackCallStatus.Transient, null, null, null, "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new SlackCallResult(SlackCallStatus.Failed, null, null, null, ErrorCode(bytes) ?? "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return webApi ? ParseWebApi(bytes) : new SlackCallResult(SlackCallStatus.Ok, null, null, null, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SlackCallResult(SlackCallStatus.Transient, null, null, null, "timeout");
        }
        catch (HttpRequestException ex)
        {
            return new SlackCallResult(SlackCallStatus.Transient, null, null, null, "network_" + ex.HttpRequestError.ToString());
        }
    }

    private static SlackCallResult ParseWebApi(byte[] bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return new SlackCallResult(SlackCallStatus.Failed, null, null, null, "malformed_response");
            }

            if (!ok.GetBoolean())
            {
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : "unknown_error";
                return error is "ratelimited" or "rate_limited"
                    ? new SlackCallResult(SlackCallStatus.RateLimited, null, null, null, error)
                    : error is "internal_error" or "fatal_error" or "service_unavailable" or "request_timeout"
                        ? new SlackCallResult(SlackCallStatus.Transient, null, null, null, error)
                        : new SlackCallResult(SlackCallStatus.Failed, null, null, null, error);
            }

            List<string>? list = null;
            if (root.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array)
            {
                list = new List<string>(users.GetArrayLength());
                foreach (var u in users.EnumerateArray())
                {
                    if (u.ValueKind == JsonValueKind.String)
                    {
                        list.Add(u.GetString()!);
                    }
                }
            }

            var ts = root.TryGetProperty("ts", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var channel = root.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            return new SlackCallResult(SlackCallStatus.Ok, ts, channel, null, null, list);
        }
        catch (JsonException)
        {
            return new SlackCallResult(SlackCallStatus.Failed, null, null, null, "malformed_response");
        }
    }

    private static string? ErrorCode(byte[] bytes)
    {
        // Incoming webhooks answer errors as short plain text such as "invalid_payload"; keep it only when it looks like a code.
        if (bytes.Length is 0 or > 64)
        {
            return null;
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes).Trim();
        foreach (var ch in text)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                return null;
            }
        }

        return text;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
