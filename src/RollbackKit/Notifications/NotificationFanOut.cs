using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Redaction;
using RollbackKit.Telemetry;

namespace RollbackKit.Notifications;

/// <summary>
/// Delivers every event to every <see cref="INotifier"/>. Each notifier has its own queue and worker, so events reach it in
/// order; each delivery gets <see cref="NotificationOptions.NotifierTimeout"/> (measured with the <see cref="TimeProvider"/>),
/// after which it is abandoned. <see cref="Publish"/> never waits for a notifier. Disposal drains: queued events are still
/// delivered for up to <see cref="NotificationOptions.NotifierDrainTimeout"/> in total; what remains after it is dropped and
/// counted in the log. Each delivery is a <c>rollbackkit.notify</c> span whose parent is the activity current when the event was
/// published. Every event is redacted (<see cref="NotificationRedaction"/>) once, before any notifier sees it.
/// </summary>
internal sealed class NotificationFanOut : IAsyncDisposable, IDisposable
{
    private readonly Worker[] _workers;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SecretRedactor _redactor;
    private int _disposed;

    public NotificationFanOut(
        IEnumerable<INotifier> notifiers,
        IOptions<NotificationOptions> options,
        TimeProvider timeProvider,
        ILogger<NotificationFanOut> logger,
        RollbackKitMetrics? metrics = null,
        SecretRedactor? redactor = null)
    {
        _redactor = redactor ?? SecretRedactor.Patterns;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _workers = notifiers.Select(n => new Worker(n, _options, timeProvider, logger, metrics)).ToArray();
    }

    public int NotifierCount => _workers.Length;

    /// <summary>Queues the event for every notifier and returns at once.</summary>
    public void Publish(RollbackEvent rollbackEvent)
    {
        rollbackEvent = NotificationRedaction.Redact(rollbackEvent, _redactor);
        var parent = Activity.Current?.Context ?? default;
        foreach (var worker in _workers)
        {
            if (!worker.Queue.Writer.TryWrite(new Queued(rollbackEvent, parent)))
            {
                Log.Dropped(_logger, worker.Notifier.Name, rollbackEvent.Kind);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // No new events; every worker delivers what is already queued, all of them within one drain timeout.
        foreach (var worker in _workers)
        {
            worker.Queue.Writer.TryComplete();
        }

        var drainTimeout = _options.NotifierDrainTimeout;
        if (drainTimeout > TimeSpan.Zero)
        {
            try
            {
                await Task.WhenAll(_workers.Select(w => w.Completion)).WaitAsync(drainTimeout, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Whatever is still queued or in flight is cancelled below and counted.
            }
        }

        foreach (var worker in _workers)
        {
            var dropped = await worker.StopAsync().ConfigureAwait(false);
            if (dropped > 0)
            {
                Log.DroppedAtShutdown(_logger, worker.Notifier.Name, dropped, drainTimeout);
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Worker : IAsyncDisposable
    {
        private readonly NotificationOptions _options;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly RollbackKitMetrics? _metrics;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _abandoned;
        private int _stopped;

        public Worker(INotifier notifier, NotificationOptions options, TimeProvider time, ILogger logger, RollbackKitMetrics? metrics)
        {
            Notifier = notifier;
            _options = options;
            _time = time;
            _logger = logger;
            _metrics = metrics;
            _loop = Task.Run(RunAsync);
        }

        public INotifier Notifier { get; }

        /// <summary>Completes when the queue is completed and empty, or the worker is stopped.</summary>
        public Task Completion => _loop;

        public Channel<Queued> Queue { get; } = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });

        private async Task RunAsync()
        {
            try
            {
                await foreach (var item in Queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    if (_stop.IsCancellationRequested)
                    {
                        // Stopped: this event and whatever is still queued are not delivered (and are counted).
                        Interlocked.Increment(ref _abandoned);
                        break;
                    }

                    await DeliverAsync(item).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        private async Task DeliverAsync(Queued queued)
        {
            var item = queued.Event;
            using var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.notify", ActivityKind.Internal, queued.Parent);
            activity?.SetTag(RollbackKitTags.Notifier, Notifier.Name);
            activity?.SetTag(RollbackKitTags.TargetId, item.Target.Id);
            activity?.SetTag(RollbackKitTags.RollbackId, item.RollbackId);
            activity?.SetTag(RollbackKitTags.EventKind, item.Kind.ToString());
            var timeout = _options.NotifierTimeout;
            if (timeout <= TimeSpan.Zero)
            {
                timeout = TimeSpan.FromSeconds(10);
            }

            string outcome;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            Task? send = null;
            try
            {
                send = Notifier.NotifyAsync(item, cts.Token).AsTask();

                // WaitAsync with the TimeProvider: a notifier that ignores its token is abandoned, not awaited forever.
                await send.WaitAsync(timeout, _time, _stop.Token).ConfigureAwait(false);
                outcome = "succeeded";
            }
            catch (TimeoutException) when (send is not null)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                ObserveLater(send);
                Log.NotifierTimedOut(_logger, Notifier.Name, item.Kind, timeout);
                outcome = "timeout";
            }
            catch (OperationCanceledException) when (send is not null && _stop.IsCancellationRequested)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                ObserveLater(send);
                Interlocked.Increment(ref _abandoned);
                outcome = "abandoned";
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.NotifierFailed(_logger, Notifier.Name, item.Kind, ex);
                outcome = "failed";
            }

            if (activity is not null)
            {
                activity.SetTag(RollbackKitTags.Outcome, outcome);
                if (!string.Equals(outcome, "succeeded", StringComparison.Ordinal))
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }

            _metrics?.NotificationDelivered(Notifier.Name, outcome);
        }

        private static void ObserveLater(Task task) =>
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        /// <summary>Cancels the delivery in flight and stops the worker; returns how many events were not delivered.</summary>
        public async ValueTask<int> StopAsync()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return 0;
            }

            Queue.Writer.TryComplete();
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
            var dropped = Volatile.Read(ref _abandoned);
            while (Queue.Reader.TryRead(out _))
            {
                dropped++;
            }

            return dropped;
        }

        public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
    }

    /// <summary>An event waiting for one notifier, with the context its delivery span continues.</summary>
    private readonly record struct Queued(RollbackEvent Event, ActivityContext Parent);
}
