using RollbackKit.Internal;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Notifications;
using RollbackKit.Triggers;
using Polly;

namespace RollbackKit.Slack.Internal;

/// <summary>
/// Posts rollback events to Slack. Keeps about one message per second per channel, honours <c>Retry-After</c>,
/// collapses throttled progress updates (latest wins, sent in the background when the channel is free) and threads
/// the messages of one rollback (bot-token mode). Failures are logged and swallowed; only the caller's cancellation
/// ends a call early with an exception.
/// </summary>
internal sealed class SlackNotifier : INotifier, IAsyncDisposable, IDisposable
{
    private const int MaxTrackedThreads = 4096;
    private const string ThreadTsState = "thread_ts";
    private const string ChannelState = "channel";

    private readonly SlackApiClient _client;
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackNotifier> _logger;
    private readonly ConcurrentDictionary<string, ChannelLane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SlackThread> _threads = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _threadOrder = new();
    private readonly ConcurrentDictionary<long, Task> _flushes = new();
    private readonly CancellationTokenSource _shutdown = new();
    private long _nextFlush;
    private RetrySetup? _retry;

    private readonly IntegrationMetrics _metrics;
    private readonly INotificationStateStore _state;

    public SlackNotifier(
        SlackApiClient client,
        IOptionsMonitor<SlackOptions> options,
        TimeProvider timeProvider,
        IntegrationMetrics metrics,
        INotificationStateStore state,
        ILogger<SlackNotifier> logger)
    {
        _state = state;
        _metrics = metrics;
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
        var botMode = _client.BotMode;
        var rollbackId = rollbackEvent.RollbackId;
        SlackThread? thread = botMode && rollbackId is not null ? await FindThreadAsync(rollbackId, cancellationToken).ConfigureAwait(false) : null;
        var channel = botMode ? thread?.Channel ?? ResolveChannel(rollbackEvent, _options.CurrentValue) : null;
        if (botMode && channel is null)
        {
            Log.SlackNoChannel(_logger, rollbackEvent.Target.Id);
            return;
        }

        var lane = _lanes.GetOrAdd(channel ?? "(webhook)", static _ => new ChannelLane());
        var progressKey = rollbackId ?? rollbackEvent.Target.Id;
        if (rollbackEvent.Kind == RollbackEventKind.Progress
            && (lane.NextAllowed > _timeProvider.GetUtcNow() || lane.Gate.CurrentCount == 0))
        {
            // Throttled: keep only the latest progress per rollback and send it when the channel is free again.
            lane.PendingProgress[progressKey] = rollbackEvent;
            Log.SlackProgressCoalesced(_logger, channel ?? "webhook", progressKey);
            _metrics.Notification(Name, "queued");
            EnsureFlush(lane, channel);
            return;
        }

        // Any newer event of the rollback supersedes a progress update still waiting.
        lane.PendingProgress.TryRemove(progressKey, out _);
        await lane.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendAsync(lane, channel, rollbackEvent, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lane.Gate.Release();
        }
    }

    /// <summary>Completes when every queued progress update has been sent or dropped.</summary>
    internal Task WhenIdleAsync() => Task.WhenAll(_flushes.Values);

    private void EnsureFlush(ChannelLane lane, string? channel)
    {
        if (Interlocked.CompareExchange(ref lane.Flushing, 1, 0) != 0)
        {
            return;
        }

        var id = Interlocked.Increment(ref _nextFlush);
        var task = Task.Run(() => FlushAsync(lane, channel), CancellationToken.None);
        _flushes[id] = task;
        _ = task.ContinueWith(_ => _flushes.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task FlushAsync(ChannelLane lane, string? channel)
    {
        try
        {
            while (!lane.PendingProgress.IsEmpty && !_shutdown.IsCancellationRequested)
            {
                await lane.Gate.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                try
                {
                    foreach (var key in lane.PendingProgress.Keys)
                    {
                        await WaitForTurnAsync(lane, _shutdown.Token).ConfigureAwait(false);
                        if (lane.PendingProgress.TryRemove(key, out var latest))
                        {
                            await SendAsync(lane, channel, latest, key, _shutdown.Token).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    lane.Gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref lane.Flushing, 0);
            if (!lane.PendingProgress.IsEmpty && !_shutdown.IsCancellationRequested)
            {
                EnsureFlush(lane, channel);
            }
        }
    }

    private async ValueTask WaitForTurnAsync(ChannelLane lane, CancellationToken cancellationToken)
    {
        var wait = lane.NextAllowed - _timeProvider.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends one event with pacing and retries (<see cref="SlackRetryPipeline"/>); the caller holds the lane's gate. For a
    /// queued progress update, <paramref name="progressKey"/> lets a newer update replace it between attempts.
    /// </summary>
    private async Task SendAsync(ChannelLane lane, string? channel, RollbackEvent rollbackEvent, string? progressKey, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var send = new Send(lane, channel, rollbackEvent, progressKey, options);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        SlackCallResult result;
        try
        {
            result = await RetryPipeline(options).ExecuteAsync(
                static (context, state) => state.Notifier.AttemptAsync(state.Send, context),
                context,
                (Notifier: this, Send: send)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        switch (result.Status)
        {
            case SlackCallStatus.Ok:
                Log.SlackMessageSent(_logger, send.Event.Kind, channel ?? "webhook", send.Event.Target.Id);
                _metrics.Notification(Name, "sent");
                break;
            case SlackCallStatus.Failed:
                Log.SlackMessageFailed(_logger, send.Event.Kind, channel ?? "webhook", result.Error ?? "unknown");
                _metrics.Notification(Name, "failed");
                break;
            default:
                Log.SlackMessageGaveUp(_logger, send.Event.Kind, channel ?? "webhook", send.Attempt);
                _metrics.Notification(Name, "failed");
                break;
        }
    }

    /// <summary>One attempt: waits for the channel, builds the message from the latest event and posts it.</summary>
    private async ValueTask<SlackCallResult> AttemptAsync(Send send, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        var lane = send.Lane;
        var channel = send.Channel;
        var attempt = ++send.Attempt;
        await WaitForTurnAsync(lane, cancellationToken).ConfigureAwait(false);
        if (send.ProgressKey is not null && lane.PendingProgress.TryRemove(send.ProgressKey, out var newer))
        {
            send.Event = newer;
        }

        // Read the thread now: an earlier message of this rollback may have started it while we waited.
        var rollbackEvent = send.Event;
        var botMode = _client.BotMode;
        var rollbackId = rollbackEvent.RollbackId;
        SlackThread? thread = botMode && rollbackId is not null ? await FindThreadAsync(rollbackId, cancellationToken).ConfigureAwait(false) : null;
        var body = SlackMessageBuilder.BuildMessage(rollbackEvent, channel, thread?.Ts);
        var result = await _client.PostMessageAsync(body, cancellationToken).ConfigureAwait(false);
        var options = send.Options;
        var wait = SlackRetryPipeline.DelayAfter(result, attempt, options);
        lane.NextAllowed = _timeProvider.GetUtcNow() + wait;
        context.Properties.Set(SlackRetryPipeline.RetryDelayKey, wait);
        switch (result.Status)
        {
            case SlackCallStatus.Ok when botMode && rollbackId is not null && thread is null && result.Ts is not null:
                RememberThread(rollbackId, new SlackThread(channel!, result.Ts));
                await RecordThreadAsync(rollbackId, rollbackEvent.Target.Id, new SlackThread(channel!, result.Ts), cancellationToken).ConfigureAwait(false);
                break;
            case SlackCallStatus.RateLimited:
                Log.SlackRateLimited(_logger, channel ?? "webhook", SlackRetryPipeline.RetryAfter(result, options).TotalSeconds, attempt);
                break;
            case SlackCallStatus.Transient:
                Log.SlackTransientFailure(_logger, channel ?? "webhook", result.Error ?? "unknown", attempt);
                break;
        }

        return result;
    }

    /// <summary>The retry pipeline for <paramref name="options"/>, rebuilt when the options change.</summary>
    private ResiliencePipeline<SlackCallResult> RetryPipeline(SlackOptions options)
    {
        var current = Volatile.Read(ref _retry);
        if (current is null || !ReferenceEquals(current.Options, options))
        {
            current = new RetrySetup(options, SlackRetryPipeline.Build(options, _timeProvider));
            Volatile.Write(ref _retry, current);
        }

        return current.Pipeline;
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
        Dispose();
        try
        {
            await WhenIdleAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The rollback's thread: started in this process, or journaled before a restart.</summary>
    private async ValueTask<SlackThread?> FindThreadAsync(string rollbackId, CancellationToken cancellationToken)
    {
        if (_threads.TryGetValue(rollbackId, out var known))
        {
            return known;
        }

        try
        {
            var ts = await _state.GetAsync(Name, rollbackId, ThreadTsState, cancellationToken).ConfigureAwait(false);
            var channel = await _state.GetAsync(Name, rollbackId, ChannelState, cancellationToken).ConfigureAwait(false);
            if (ts is null || channel is null)
            {
                return null;
            }

            var thread = new SlackThread(channel, ts);
            RememberThread(rollbackId, thread);
            return _threads.TryGetValue(rollbackId, out var current) ? current : thread;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SlackStateFailed(_logger, rollbackId, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Journals a new thread so that the rollback, resumed after a restart, keeps posting in it.</summary>
    private async ValueTask RecordThreadAsync(string rollbackId, string targetId, SlackThread thread, CancellationToken cancellationToken)
    {
        try
        {
            var values = new Dictionary<string, string?> { [ChannelState] = thread.Channel, [ThreadTsState] = thread.Ts };
            await _state.SetAsync(Name, rollbackId, targetId, values, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SlackStateFailed(_logger, rollbackId, ex.GetType().Name);
        }
    }

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
#pragma warning disable CA1051 // Used with Interlocked.
        public int Flushing;
#pragma warning restore CA1051

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset NextAllowed { get; set; } = DateTimeOffset.MinValue;

        /// <summary>The latest throttled progress update per rollback.</summary>
        public ConcurrentDictionary<string, RollbackEvent> PendingProgress { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One message being sent: its lane and channel, the (replaceable) event and the attempts made.</summary>
    private sealed class Send(ChannelLane lane, string? channel, RollbackEvent rollbackEvent, string? progressKey, SlackOptions options)
    {
        public ChannelLane Lane { get; } = lane;

        public string? Channel { get; } = channel;

        public RollbackEvent Event { get; set; } = rollbackEvent;

        public string? ProgressKey { get; } = progressKey;

        public SlackOptions Options { get; } = options;

        /// <summary>Attempts made so far.</summary>
        public int Attempt { get; set; }
    }

    private sealed record RetrySetup(SlackOptions Options, ResiliencePipeline<SlackCallResult> Pipeline);
}

/// <summary>The Slack thread of one rollback.</summary>
/// <param name="Channel">The channel the thread is in (as configured).</param>
/// <param name="Ts">The parent message's <c>ts</c>.</param>
internal sealed record SlackThread(string Channel, string Ts);
