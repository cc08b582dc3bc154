using RollbackKit.Internal;
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;

namespace RollbackKit.Slack.Internal;

/// <summary>
/// Handles Slack interactivity requests (<c>block_actions</c> from the Approve / Hold buttons): verifies the signature,
/// answers 200 at once, then checks the approver, records the decision and updates the message in the background.
/// </summary>
internal sealed class SlackInteractionHandler : IInboundWebhookHandler, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan s_processingTimeout = TimeSpan.FromSeconds(30);

    private readonly IApprovalGate _gate;
    private readonly SlackApproverPolicy _approvers;
    private readonly SlackApiClient _client;
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackInteractionHandler> _logger;
    private readonly IntegrationMetrics _metrics;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<long, Task> _pending = new();
    private long _nextId;

    public SlackInteractionHandler(
        IApprovalGate gate,
        SlackApproverPolicy approvers,
        SlackApiClient client,
        IOptionsMonitor<SlackOptions> options,
        TimeProvider timeProvider,
        IntegrationMetrics metrics,
        ILogger<SlackInteractionHandler> logger)
    {
        _metrics = metrics;
        _gate = gate;
        _approvers = approvers;
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string Name => "slack";

    /// <summary>Completes when every decision started so far has been processed.</summary>
    internal Task WhenIdleAsync() => Task.WhenAll(_pending.Values);

    public ValueTask<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = _options.CurrentValue;
        if (string.IsNullOrEmpty(o.SigningSecret))
        {
            Log.WebhookRejected(_logger, Name, "no signing secret is configured");
            return Unauthorized();
        }

        if (!request.Headers.TryGetValue("X-Slack-Request-Timestamp", out var timestamp)
            || !request.Headers.TryGetValue("X-Slack-Signature", out var signature))
        {
            Log.WebhookRejected(_logger, Name, "missing X-Slack-Request-Timestamp or X-Slack-Signature");
            return Unauthorized();
        }

        if (!Signatures.TryParseUnixSeconds(timestamp.Trim(), out var sentAt))
        {
            Log.WebhookRejected(_logger, Name, "malformed X-Slack-Request-Timestamp");
            return Unauthorized();
        }

        if ((_timeProvider.GetUtcNow() - sentAt).Duration() > o.SignatureTolerance)
        {
            Log.WebhookRejected(_logger, Name, "timestamp outside the allowed window (possible replay)");
            return Unauthorized();
        }

        if (!Signatures.VerifySlack(o.SigningSecret, timestamp.Trim(), request.Body.Span, signature))
        {
            Log.WebhookRejected(_logger, Name, "signature mismatch");
            return Unauthorized();
        }

        if (!WebhookBody.TryValidateUtf8(request.Body.Span, out var problem))
        {
            return Malformed(problem);
        }

        var payload = FormField(request.Body.Span, "payload");
        if (payload is null)
        {
            return Malformed("form field 'payload' is missing");
        }

        if (!WebhookBody.TryValidateJson(payload, out problem))
        {
            return Malformed("form field 'payload': " + problem);
        }

        Interaction interaction;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var parsed = Interaction.TryParse(doc.RootElement, out var error);
            if (parsed is null)
            {
                if (error is null)
                {
                    return ValueTask.FromResult(new WebhookResponse(200)); // Not ours (another interaction type or action).
                }

                return Malformed(error);
            }

            interaction = parsed;
        }
        catch (JsonException)
        {
            return Malformed("form field 'payload' is not JSON");
        }

        Track(ProcessAsync(interaction));
        return ValueTask.FromResult(new WebhookResponse(200));
    }

    private ValueTask<WebhookResponse> Malformed(string problem)
    {
        Log.WebhookMalformed(_logger, Name, problem);
        _metrics.Webhook(Name, "malformed");
        return ValueTask.FromResult(WebhookBody.BadRequest(problem));
    }

    private ValueTask<WebhookResponse> Unauthorized()
    {
        _metrics.Webhook(Name, "unauthorized");
        return ValueTask.FromResult(new WebhookResponse(401, """{"error":"invalid signature"}"""));
    }

    private void Track(Task task)
    {
        var id = Interlocked.Increment(ref _nextId);
        _pending[id] = task;
        _ = task.ContinueWith(
            _ => _pending.TryRemove(id, out Task? _),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ProcessAsync(Interaction interaction)
    {
        await Task.Yield(); // Leave the request path now; Slack wants its answer within 3 seconds.
        using var timeout = new CancellationTokenSource(s_processingTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, timeout.Token);
        var ct = linked.Token;
        try
        {
            if (!await _approvers.IsAllowedAsync(interaction.UserId, ct).ConfigureAwait(false))
            {
                Log.SlackApproverRefused(_logger, interaction.UserId, interaction.ApprovalId);
                _metrics.Webhook(Name, "not_allowed");
                await ReplyEphemeralAsync(interaction, ":no_entry: You are not allowed to approve or hold rollbacks.", ct).ConfigureAwait(false);
                return;
            }

            var approve = interaction.ActionId == SlackMessageBuilder.ApproveActionId;
            var decision = approve ? ApprovalDecision.Approved : ApprovalDecision.Rejected;
            var decidedBy = interaction.UserName is null ? "slack:" + interaction.UserId : $"{interaction.UserName} (slack:{interaction.UserId})";
            var decided = await _gate.DecideAsync(interaction.ApprovalId, decision, decidedBy, "via Slack", ct).ConfigureAwait(false);
            if (!decided)
            {
                Log.SlackApprovalNotPending(_logger, interaction.ApprovalId);
                await ReplyEphemeralAsync(interaction, "This rollback is no longer waiting for a decision (already decided or timed out).", ct).ConfigureAwait(false);
                return;
            }

            Log.SlackApprovalDecided(_logger, interaction.ApprovalId, decision, interaction.UserId);
            _metrics.Webhook(Name, approve ? "approved" : "held");
            var line = approve
                ? $":white_check_mark: Approved by <@{interaction.UserId}>"
                : $":no_entry: Held by <@{interaction.UserId}>";
            await UpdateOriginalAsync(interaction, line, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.SlackInteractionTimedOut(_logger, interaction.ApprovalId);
        }
#pragma warning disable CA1031 // Background work: log, never crash the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.SlackInteractionFailed(_logger, interaction.ApprovalId, ex.GetType().Name);
        }
    }

    private async Task ReplyEphemeralAsync(Interaction interaction, string text, CancellationToken ct)
    {
        if (!TryGetResponseUrl(interaction, out var url))
        {
            return;
        }

        var body = Json(w =>
        {
            w.WriteString("response_type", "ephemeral");
            w.WriteBoolean("replace_original", false);
            w.WriteString("text", text);
        });
        var result = await _client.PostToResponseUrlAsync(url, body, ct).ConfigureAwait(false);
        if (result.Status != SlackCallStatus.Ok)
        {
            Log.SlackUpdateFailed(_logger, result.Error ?? "unknown");
        }
    }

    private async Task UpdateOriginalAsync(Interaction interaction, string line, CancellationToken ct)
    {
        var text = (interaction.OriginalText ?? "Rollback approval") + " — " + line;
        void WriteBlocks(Utf8JsonWriter w)
        {
            w.WriteStartArray("blocks");
            foreach (var block in interaction.OriginalBlocks)
            {
                var isApprovalActions = block.TryGetProperty("type", out var type) && type.ValueEquals("actions")
                    && block.TryGetProperty("block_id", out var id) && id.ValueEquals(SlackMessageBuilder.ApprovalBlockId);
                if (!isApprovalActions)
                {
                    block.WriteTo(w);
                }
            }

            SlackMessageBuilder.WriteContext(w, line);
            w.WriteEndArray();
        }

        SlackCallResult result;
        if (TryGetResponseUrl(interaction, out var url))
        {
            var body = Json(w =>
            {
                w.WriteBoolean("replace_original", true);
                w.WriteString("text", text);
                WriteBlocks(w);
            });
            result = await _client.PostToResponseUrlAsync(url, body, ct).ConfigureAwait(false);
        }
        else if (_client.BotMode && interaction.ChannelId is not null && interaction.MessageTs is not null)
        {
            var body = Json(w =>
            {
                w.WriteString("channel", interaction.ChannelId);
                w.WriteString("ts", interaction.MessageTs);
                w.WriteString("text", text);
                WriteBlocks(w);
            });
            result = await _client.SendWebApiAsync(HttpMethod.Post, "chat.update", body, ct).ConfigureAwait(false);
        }
        else
        {
            return;
        }

        if (result.Status != SlackCallStatus.Ok)
        {
            Log.SlackUpdateFailed(_logger, result.Error ?? "unknown");
        }
    }

    private bool TryGetResponseUrl(Interaction interaction, out Uri url)
    {
        url = null!;
        if (interaction.ResponseUrl is null
            || !Uri.TryCreate(interaction.ResponseUrl, UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            return false;
        }

        var hosts = _options.CurrentValue.ResponseUrlHosts;
        var allowed = hosts.Count == 0
            ? string.Equals(parsed.Host, "hooks.slack.com", StringComparison.OrdinalIgnoreCase) && parsed.Scheme == Uri.UriSchemeHttps
            : hosts.Exists(h => string.Equals(h?.Trim(), parsed.Host, StringComparison.OrdinalIgnoreCase));
        if (!allowed)
        {
            Log.SlackResponseUrlRefused(_logger, parsed.Host);
            return false;
        }

        url = parsed;
        return true;
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads one field of an <c>application/x-www-form-urlencoded</c> body as the bytes its percent-encoding stands
    /// for (not yet decoded as UTF-8, so that invalid sequences can be refused rather than replaced).
    /// </summary>
    internal static byte[]? FormField(ReadOnlySpan<byte> body, string name)
    {
        var key = Encoding.UTF8.GetBytes(name);
        while (true)
        {
            var end = body.IndexOf((byte)'&');
            var pair = end < 0 ? body : body[..end];
            var eq = pair.IndexOf((byte)'=');
            var rawKey = eq < 0 ? pair : pair[..eq];
            if (Unescape(rawKey).AsSpan().SequenceEqual(key))
            {
                return eq < 0 ? [] : Unescape(pair[(eq + 1)..]);
            }

            if (end < 0)
            {
                return null;
            }

            body = body[(end + 1)..];
        }
    }

    private static byte[] Unescape(ReadOnlySpan<byte> s)
    {
        var result = new byte[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var b = s[i];
            if (b == (byte)'+')
            {
                result[n++] = (byte)' ';
            }
            else if (b == (byte)'%' && i + 2 < s.Length && HexValue(s[i + 1]) is var hi and >= 0 && HexValue(s[i + 2]) is var lo and >= 0)
            {
                result[n++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else
            {
                result[n++] = b;
            }
        }

        return result.AsSpan(0, n).ToArray();

        static int HexValue(byte c) => c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            _ => -1,
        };
    }

    public void Dispose()
    {
        if (!_shutdown.IsCancellationRequested)
        {
            _shutdown.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await WhenIdleAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _shutdown.Dispose();
    }

    /// <summary>The parts of a <c>block_actions</c> payload that matter here.</summary>
    private sealed class Interaction
    {
        public required string UserId { get; init; }

        public string? UserName { get; init; }

        public required string ActionId { get; init; }

        public required string ApprovalId { get; init; }

        public string? ResponseUrl { get; init; }

        public string? ChannelId { get; init; }

        public string? MessageTs { get; init; }

        public string? OriginalText { get; init; }

        public List<JsonElement> OriginalBlocks { get; init; } = [];

        /// <summary>Returns null with a null error when the payload is valid but not for us; null with an error when malformed.</summary>
        public static Interaction? TryParse(JsonElement root, out string? error)
        {
            error = null;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                error = "payload has no 'type'";
                return null;
            }

            if (!type.ValueEquals("block_actions"))
            {
                return null;
            }

            if (!root.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.Object
                || !user.TryGetProperty("id", out var userId) || userId.ValueKind != JsonValueKind.String)
            {
                error = "block_actions payload has no user.id";
                return null;
            }

            if (!root.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
            {
                error = "block_actions payload has no actions";
                return null;
            }

            foreach (var action in actions.EnumerateArray())
            {
                if (action.ValueKind != JsonValueKind.Object
                    || !action.TryGetProperty("action_id", out var actionId) || actionId.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                var id = actionId.GetString();
                if (id is not (SlackMessageBuilder.ApproveActionId or SlackMessageBuilder.HoldActionId))
                {
                    continue;
                }

                if (!action.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
                {
                    error = "approval button has no value";
                    return null;
                }

                var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                var blocks = new List<JsonElement>();
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array)
                {
                    foreach (var block in b.EnumerateArray())
                    {
                        if (block.ValueKind == JsonValueKind.Object)
                        {
                            blocks.Add(block.Clone());
                        }
                    }
                }

                return new Interaction
                {
                    UserId = userId.GetString()!,
                    UserName = String(user, "username") ?? String(user, "name"),
                    ActionId = id,
                    ApprovalId = value.GetString()!,
                    ResponseUrl = String(root, "response_url"),
                    ChannelId = root.TryGetProperty("channel", out var ch) && ch.ValueKind == JsonValueKind.Object ? String(ch, "id") : null,
                    MessageTs = message.ValueKind == JsonValueKind.Object ? String(message, "ts") : null,
                    OriginalText = message.ValueKind == JsonValueKind.Object ? String(message, "text") : null,
                    OriginalBlocks = blocks,
                };
            }

            return null;
        }

        private static string? String(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
