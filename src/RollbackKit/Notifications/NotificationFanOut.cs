using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Workflow;

namespace RollbackKit.Notifications;

/// <summary>
/// Delivers every event to every <see cref="INotifier"/>. Each notifier has its own queue and worker, so events reach it in
/// order; each delivery gets <see cref="RollbackWorkflowOptions.NotifierTimeout"/> (measured with the <see cref="TimeProvider"/>),
/// after which it is abandoned. <see cref="Publish"/> never waits for a notifier.
/// </summary>
internal sealed partial class NotificationFanOut : IAsyncDisposable, IDisposable
{
    private readonly Worker[] _workers;
    private readonly ILogger _logger;

    public NotificationFanOut(IEnumerable<INotifier> notifiers, IOptions<RollbackKitOptions> options, TimeProvider timeProvider, ILogger<NotificationFanOut> logger)
    {
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
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
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

        public Worker(INotifier notifier, IOptions<RollbackKitOptions> options, TimeProvider time, ILogger logger)
        {
            Notifier = notifier;
            _options = options;
            _time = time;
            _logger = logger;
            _loop = Task.Run(RunAsync);
        }

        public INotifier Notifier { get; }

        public Channel<RollbackEvent> Queue { get; } = Channel.CreateUnbounded<RollbackEvent>(new UnboundedChannelOptions { SingleReader = true });

        private async Task RunAsync()
        {
            try
            {
                await foreach (var item in Queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
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
                ObserveLater(send);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.NotifierFailed(_logger, Notifier.Name, item.Kind, ex);
            }
        }

        private static void ObserveLater(Task task) =>
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public async ValueTask DisposeAsync()
        {
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
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Notifier {Notifier} failed to send {Kind}")]
        public static partial void NotifierFailed(ILogger logger, string notifier, RollbackEventKind kind, Exception exception);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Notifier {Notifier} did not send {Kind} within {Timeout}; abandoned")]
        public static partial void NotifierTimedOut(ILogger logger, string notifier, RollbackEventKind kind, TimeSpan timeout);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Notifier {Notifier}: {Kind} dropped after shutdown")]
        public static partial void Dropped(ILogger logger, string notifier, RollbackEventKind kind);
    }
}
