using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Notifications;
using RollbackKit.Tests.Workflow;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Notifications;

public class NotificationFanOutTests
{
    /// <summary>Counts calls and completes a task when the n-th call arrives, so tests await calls instead of polling.</summary>
    private sealed class CallSignal
    {
        private readonly TaskCompletionSource[] _reached = Enumerable.Range(0, 8).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Called()
        {
            var n = Interlocked.Increment(ref _calls);
            if (n <= _reached.Length)
            {
                _reached[n - 1].TrySetResult();
            }
        }

        /// <summary>Completes once the notifier has been called <paramref name="count"/> times.</summary>
        public Task ReachedAsync(int count) => _reached[count - 1].Task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);
    }

    private sealed class HangingNotifier : INotifier
    {
        public CallSignal Signal { get; } = new();

        public int Calls => Signal.Calls;

        public string Name => "hanging";

        public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            Signal.Called();
            return new ValueTask(new TaskCompletionSource().Task); // never completes, ignores cancellation
        }
    }

    private sealed class ThrowingNotifier : INotifier
    {
        public string Name => "throwing";

        public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken) => throw new HttpRequestException("chat is down");
    }

    [Fact]
    public async Task Rollback_WithHangingAndThrowingNotifiers_CompletesAndOthersReceiveEverything()
    {
        var hanging = new HangingNotifier();
        var time = new ObservableFakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        await using var h = WorkflowHarness.Create(
            o => o.Workflow.NotifierTimeout = TimeSpan.FromSeconds(10),
            s =>
            {
                s.AddSingleton<INotifier>(hanging);
                s.AddSingleton<INotifier>(new ThrowingNotifier());
            },
            time);

        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId); // fake time never advanced: the hanging notifier cannot have timed out
        Assert.Equal(RollbackState.RolledBack, status.State);
        await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);
        Assert.Equal(4, h.Notifier.Events.Count);
        await hanging.Signal.ReachedAsync(1); // its worker runs independently of the recording notifier's
        Assert.Equal(1, hanging.Calls);

        // Once its timeout passes (the clock moves only when that delivery waits on it), the hanging notifier is abandoned
        // and gets the next event.
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(10));
        await hanging.Signal.ReachedAsync(2);
        Assert.Equal(2, hanging.Calls);
    }

    [Fact]
    public async Task Publish_NoNotifierDelaysPublisher()
    {
        var time = new FakeTimeProvider();
        var hanging = new HangingNotifier();
        var recording = new RecordingNotifier();
        var options = new NotificationOptions { NotifierDrainTimeout = TimeSpan.Zero }; // the fake clock does not run while disposing here
        await using var fanOut = new NotificationFanOut([hanging, recording], Options.Create(options), time, NullLogger<NotificationFanOut>.Instance);
        for (var i = 0; i < 5; i++)
        {
            fanOut.Publish(new RollbackEvent { Kind = RollbackEventKind.Progress, Target = new RollbackTarget("app"), Message = i.ToString() });
        }

        await recording.WaitForAsync(e => e.Message == "4");
        Assert.Equal(["0", "1", "2", "3", "4"], recording.Events.Select(e => e.Message));
        Assert.Equal(1, hanging.Calls);
    }

    /// <summary>Delivers each event only once the test opens the gate; honours cancellation.</summary>
    private sealed class GatedNotifier : INotifier
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _delivered = new();
        public string Name => "gated";

        public CallSignal Signal { get; } = new();

        public IReadOnlyList<string> Delivered => _delivered.ToArray();

        public void Open() => _gate.TrySetResult();

        public async ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            Signal.Called();
            await _gate.Task.WaitAsync(cancellationToken);
            _delivered.Enqueue(rollbackEvent.Message);
        }
    }

    private static RollbackEvent Event(int i) => new() { Kind = RollbackEventKind.Progress, Target = new RollbackTarget("app"), Message = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static IOptions<NotificationOptions> DrainOptions(TimeSpan notifierTimeout, TimeSpan drainTimeout) =>
        Options.Create(new NotificationOptions { NotifierTimeout = notifierTimeout, NotifierDrainTimeout = drainTimeout });

    [Fact]
    public async Task DisposeAsync_SlowNotifierWithQueuedEvents_DeliversAllBeforeReturning()
    {
        var time = new ObservableFakeTimeProvider();
        var logger = new FakeLogger<NotificationFanOut>();
        var slow = new GatedNotifier();
        var drain = TimeSpan.FromSeconds(5);
        var fanOut = new NotificationFanOut([slow], DrainOptions(TimeSpan.FromSeconds(10), drain), time, logger);
        for (var i = 0; i < 5; i++)
        {
            fanOut.Publish(Event(i));
        }

        await slow.Signal.ReachedAsync(1);
        var dispose = fanOut.DisposeAsync().AsTask();
        await time.WaitForTimerAsync(drain); // disposal now waits for the drain on the fake clock, which does not move
        Assert.False(dispose.IsCompleted); // the first delivery is still waiting
        Assert.Equal(1, slow.Signal.Calls);

        slow.Open();
        await dispose.WaitAsync(ObservableFakeTimeProvider.WaitLimit);

        Assert.Equal(["0", "1", "2", "3", "4"], slow.Delivered);
        Assert.Equal(5, slow.Signal.Calls);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 904);
    }

    [Fact]
    public async Task DisposeAsync_HangingNotifier_AbandonedAfterDrainTimeoutAndDropsCounted()
    {
        var time = new ObservableFakeTimeProvider();
        var logger = new FakeLogger<NotificationFanOut>();
        var hanging = new HangingNotifier();
        var recording = new RecordingNotifier();
        var drain = TimeSpan.FromSeconds(5);
        var fanOut = new NotificationFanOut([hanging, recording], DrainOptions(TimeSpan.FromHours(1), drain), time, logger);
        for (var i = 0; i < 3; i++)
        {
            fanOut.Publish(Event(i));
        }

        await recording.WaitForAsync(e => e.Message == "2");
        await hanging.Signal.ReachedAsync(1);
        var started = time.GetUtcNow();
        var dispose = fanOut.DisposeAsync().AsTask();
        await time.WaitForTimerAsync(drain); // disposal waits for the drain on the fake clock

        time.Advance(drain - TimeSpan.FromSeconds(1));
        Assert.False(dispose.IsCompleted); // still draining before the drain timeout
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 904);

        time.Advance(TimeSpan.FromSeconds(1));
        await dispose.WaitAsync(ObservableFakeTimeProvider.WaitLimit);
        Assert.Equal(drain, time.GetUtcNow() - started); // ended by the drain timeout, not the per-event timeout
        Assert.Equal(1, hanging.Calls); // the queued events were not handed to it after the drain timeout
        Assert.Equal(["0", "1", "2"], recording.Events.Select(e => e.Message));
        var dropped = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 904);
        Assert.Contains("hanging: 3 events dropped", dropped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoggingNotifier_RegisteredOnceByDefault()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddRollbackKit();
        services.AddRollbackKit();
        await using var provider = services.BuildServiceProvider();
        var notifier = Assert.Single(provider.GetServices<INotifier>());
        Assert.Equal("log", notifier.Name);
        await notifier.NotifyAsync(new RollbackEvent { Kind = RollbackEventKind.Failed, Target = new RollbackTarget("app"), Message = "m" }, CancellationToken.None);
    }
}
