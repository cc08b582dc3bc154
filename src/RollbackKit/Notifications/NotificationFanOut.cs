using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Workflow;

namespace RollbackKit.Notifications;

/// <summary>
/// Delivers every event to every <see cref="INotifier"/>. Each notifier has its own queue and worker, so events reach it in
/// order; each delivery gets <see cref="RollbackWorkflowOptions.NotifierTimeout"/> (measured with the <see cref="TimeProvider"/>),
/// after which it is abandoned. <see cref="Publish"/> never waits for a notifier. Disposal drains: queued events are still
/// delivered for up to <see cref="RollbackWorkflowOptions.NotifierDrainTimeout"/> in total; what remains after it is dropped and
/// counted in the log.
/// </summary>
internal sealed partial class NotificationFanOut : IAsyncDisposable, IDisposable
{
    private readonly Worker[] _workers;
    private readonly IOptions<RollbackKitOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _disposed;

    public NotificationFanOut(IEnumerable<INotifier> notifiers, IOptions<RollbackKitOptions> options, TimeProvider timeProvider, ILogger<NotificationFanOut> logger)
    {
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _workers = notifiers.Select(n => new Worker(n, options, timeProvider, logger)).ToArray();
    }

    public int NotifierCount => _workers.Length;

    /// <summary>Queues the event for every notifier and returns at once.</summary>
    public void Publish(RollbackEvent rollbackEvent)
    {
        foreach (var worker in _workers)
        {
            if (!worker.Queue.Writer.TryWrite(rollbackEvent))
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

        var drainTimeout = _options.Value.Workflow.NotifierDrainTimeout;
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
        private readonly IOptions<RollbackKitOptions> _options;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _abandoned;
        private int _stopped;

        public Worker(INotifier notifier, IOptions<RollbackKitOptions> options, TimeProvider time, ILogger logger)
        {
            Notifier = notifier;
            _options = options;
            _time = time;
            _logger = logger;
            _loop = Task.Run(RunAsync);
        }

        public INotifier Notifier { get; }

        /// <summary>Completes when the queue is completed and empty, or the worker is stopped.</summary>
        public Task Completion => _loop;

        public Channel<RollbackEvent> Queue { get; } = Channel.CreateUnbounded<RollbackEvent>(new UnboundedChannelOptions { SingleReader = true });

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

        private async Task DeliverAsync(RollbackEvent item)
        {
            var timeout = _options.Value.Workflow.NotifierTimeout;
            if (timeout <= TimeSpan.Zero)
            {
                timeout = TimeSpan.FromSeconds(10);
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            Task send;
            try
            {
                send = Notifier.NotifyAsync(item, cts.Token).AsTask();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.NotifierFailed(_logger, Notifier.Name, item.Kind, ex);
                return;
            }

            try
            {
                // WaitAsync with the TimeProvider: a notifier that ignores its token is abandoned, not awaited forever.
                await send.WaitAsync(timeout, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                ObserveLater(send);
                Log.NotifierTimedOut(_logger, Notifier.Name, item.Kind, timeout);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                ObserveLater(send);
                Interlocked.Increment(ref _abandoned);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.NotifierFailed(_logger, Notifier.Name, item.Kind, ex);
            }
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Notifier {Notifier} failed to send {Kind}")]
        public static partial void NotifierFailed(ILogger logger, string notifier, RollbackEventKind kind, Exception exception);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Notifier {Notifier} did not send {Kind} within {Timeout}; abandoned")]
        public static partial void NotifierTimedOut(ILogger logger, string notifier, RollbackEventKind kind, TimeSpan timeout);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Notifier {Notifier}: {Kind} dropped after shutdown")]
        public static partial void Dropped(ILogger logger, string notifier, RollbackEventKind kind);

        [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Notifier {Notifier}: {Count} events dropped at shutdown (not delivered within the drain timeout of {DrainTimeout})")]
        public static partial void DroppedAtShutdown(ILogger logger, string notifier, int count, TimeSpan drainTimeout);
    }
}
