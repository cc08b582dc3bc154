using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Notifications;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Internal;

/// <summary>
/// Posts rollback events to Slack. Keeps about one message per second per channel, honours <c>Retry-After</c>,
/// collapses queued progress updates (latest wins) and threads the messages of one rollback (bot-token mode).
/// Failures are logged and swallowed; only the caller's cancellation ends a call early with an exception.
/// </summary>
internal sealed class SlackNotifier : INotifier
{
    private const int MaxTrackedThreads = 4096;

    private readonly SlackApiClient _client;
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackNotifier> _logger;
    private readonly ConcurrentDictionary<string, ChannelLane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SlackThread> _threads = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _threadOrder = new();
    private readonly ConcurrentDictionary<string, long> _progressTickets = new(StringComparer.Ordinal);

    public SlackNotifier(SlackApiClient client, IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider, ILogger<SlackNotifier> logger)
    {
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string Name => "slack";

    /// <summary>The thread (channel, ts) of a rollback, when one was started.</summary>
    internal bool TryGetThread(string rollbackId, out SlackThread thread) => _threads.TryGetValue(rollbackId, out thread!);

    public async ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollbackEvent);
        var options = _options.CurrentValue;
        var botMode = _client.BotMode;
        var rollbackId = rollbackEvent.RollbackId;
        SlackThread? thread = botMode && rollbackId is not null && _threads.TryGetValue(rollbackId, out var t) ? t : null;
        var channel = botMode ? thread?.Channel ?? ResolveChannel(rollbackEvent, options) : null;
        if (botMode && channel is null)
        {
            Log.SlackNoChannel(_logger, rollbackEvent.Target.Id);
            return;
        }

        var lane = _lanes.GetOrAdd(channel ?? "(webhook)", static _ => new ChannelLane());
        long ticket = 0;
        string? progressKey = null;
        if (rollbackEvent.Kind == RollbackEventKind.Progress)
        {
            progressKey = (channel ?? string.Empty) + "\n" + (rollbackId ?? rollbackEvent.Target.Id);
            ticket = _progressTickets.AddOrUpdate(progressKey, 1, static (_, v) => v + 1);
        }

        await lane.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var attempts = Math.Max(1, options.MaxAttempts);
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                if (IsStale(progressKey, ticket))
                {
                    Log.SlackProgressCoalesced(_logger, channel ?? "webhook", rollbackId ?? rollbackEvent.Target.Id);
                    return;
                }

                var wait = lane.NextAllowed - _timeProvider.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
                    if (IsStale(progressKey, ticket))
                    {
                        Log.SlackProgressCoalesced(_logger, channel ?? "webhook", rollbackId ?? rollbackEvent.Target.Id);
                        return;
                    }
                }

                // Re-read the thread: an earlier message of this rollback may have started it while we waited.
                if (botMode && rollbackId is not null && _threads.TryGetValue(rollbackId, out var current))
                {
                    thread = current;
                }

                var body = SlackMessageBuilder.BuildMessage(rollbackEvent, channel, thread?.Ts);
                var result = await _client.PostMessageAsync(body, cancellationToken).ConfigureAwait(false);
                var now = _timeProvider.GetUtcNow();
                lane.NextAllowed = now + options.MinimumMessageInterval;
                switch (result.Status)
                {
                    case SlackCallStatus.Ok:
                        if (botMode && rollbackId is not null && thread is null && result.Ts is not null)
                        {
                            RememberThread(rollbackId, new SlackThread(channel!, result.Ts));
                        }

                        Log.SlackMessageSent(_logger, rollbackEvent.Kind, channel ?? "webhook", rollbackEvent.Target.Id);
                        return;
                    case SlackCallStatus.RateLimited:
                        var retryAfter = result.RetryAfter ?? options.MinimumMessageInterval;
                        if (retryAfter > options.MaxRetryAfter)
                        {
                            retryAfter = options.MaxRetryAfter;
                        }

                        lane.NextAllowed = now + (retryAfter > options.MinimumMessageInterval ? retryAfter : options.MinimumMessageInterval);
                        Log.SlackRateLimited(_logger, channel ?? "webhook", retryAfter.TotalSeconds, attempt);
                        break;
                    case SlackCallStatus.Transient:
                        var backoff = TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
                        lane.NextAllowed = now + (backoff > options.MinimumMessageInterval ? backoff : options.MinimumMessageInterval);
                        Log.SlackTransientFailure(_logger, channel ?? "webhook", result.Error ?? "unknown", attempt);
                        break;
                    default:
                        Log.SlackMessageFailed(_logger, rollbackEvent.Kind, channel ?? "webhook", result.Error ?? "unknown");
                        return;
                }
            }

            Log.SlackMessageGaveUp(_logger, rollbackEvent.Kind, channel ?? "webhook", attempts);
        }
        finally
        {
            lane.Gate.Release();
            if (progressKey is not null)
            {
                _progressTickets.TryRemove(KeyValuePair.Create(progressKey, ticket));
            }
        }
    }

    private bool IsStale(string? progressKey, long ticket) =>
        progressKey is not null && _progressTickets.TryGetValue(progressKey, out var latest) && latest != ticket;

    private void RememberThread(string rollbackId, SlackThread thread)
    {
        if (_threads.TryAdd(rollbackId, thread))
        {
            _threadOrder.Enqueue(rollbackId);
            while (_threads.Count > MaxTrackedThreads && _threadOrder.TryDequeue(out var oldest))
            {
                _threads.TryRemove(oldest, out _);
            }
        }
    }

    internal static string? ResolveChannel(RollbackEvent e, SlackOptions options)
    {
        if (options.TargetChannels.TryGetValue(e.Target.Id, out var byTarget) && !string.IsNullOrWhiteSpace(byTarget))
        {
            return byTarget;
        }

        foreach (var (key, value) in options.SeverityChannels)
        {
            if (RollbackSeverityExtensions.TryParse(key, out var severity) && severity == e.Severity && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return string.IsNullOrWhiteSpace(options.Channel) ? null : options.Channel;
    }

    private sealed class ChannelLane
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset NextAllowed { get; set; } = DateTimeOffset.MinValue;
    }
}

/// <summary>The Slack thread of one rollback.</summary>
/// <param name="Channel">The channel the thread is in (as configured).</param>
/// <param name="Ts">The parent message's <c>ts</c>.</param>
internal sealed record SlackThread(string Channel, string Ts);
