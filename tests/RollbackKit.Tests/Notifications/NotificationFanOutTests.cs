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
    private sealed class HangingNotifier : INotifier
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "hanging";

        public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
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
        await using var h = WorkflowHarness.Create(
            o => o.Workflow.NotifierTimeout = TimeSpan.FromSeconds(10),
            s =>
            {
                s.AddSingleton<INotifier>(hanging);
                s.AddSingleton<INotifier>(new ThrowingNotifier());
            });

        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId); // fake time never advanced: the hanging notifier cannot have timed out
        Assert.Equal(RollbackState.RolledBack, status.State);
        await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);
        Assert.Equal(4, h.Notifier.Events.Count);
        await WaitUntilAsync(() => hanging.Calls >= 1); // its worker runs independently of the recording notifier's
        Assert.Equal(1, hanging.Calls);

        // Once its timeout passes, the hanging notifier is abandoned and gets the next event.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (hanging.Calls < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

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
        private int _calls;

        public string Name => "gated";

        public int Calls => Volatile.Read(ref _calls);

        public IReadOnlyList<string> Delivered => _delivered.ToArray();

        public void Open() => _gate.TrySetResult();

        public async ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await _gate.Task.WaitAsync(cancellationToken);
            _delivered.Enqueue(rollbackEvent.Message);
        }
    }

    private static RollbackEvent Event(int i) => new() { Kind = RollbackEventKind.Progress, Target = new RollbackTarget("app"), Message = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static IOptions<NotificationOptions> DrainOptions(TimeSpan notifierTimeout, TimeSpan drainTimeout) =>
        Options.Create(new NotificationOptions { NotifierTimeout = notifierTimeout, NotifierDrainTimeout = drainTimeout });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task DisposeAsync_SlowNotifierWithQueuedEvents_DeliversAllBeforeReturning()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<NotificationFanOut>();
        var slow = new GatedNotifier();
        var fanOut = new NotificationFanOut([slow], DrainOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), time, logger);
        for (var i = 0; i < 5; i++)
        {
            fanOut.Publish(Event(i));
        }

        await WaitUntilAsync(() => slow.Calls == 1);
        var dispose = fanOut.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted); // the first delivery is still waiting and the fake clock has not moved

        slow.Open();
        await dispose.WaitAsync(WorkflowHarness.WaitLimit);

        Assert.Equal(["0", "1", "2", "3", "4"], slow.Delivered);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 904);
    }

    [Fact]
    public async Task DisposeAsync_HangingNotifier_AbandonedAfterDrainTimeoutAndDropsCounted()
    {
        var time = new FakeTimeProvider();
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
        await WaitUntilAsync(() => hanging.Calls == 1);
        var started = time.GetUtcNow();
        var dispose = fanOut.DisposeAsync().AsTask();

        time.Advance(drain - TimeSpan.FromSeconds(1));
        await Task.WhenAny(dispose, Task.Delay(20));
        Assert.False(dispose.IsCompleted); // still draining before the drain timeout

        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (!dispose.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "disposal did not finish while advancing the fake clock");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(dispose, Task.Delay(5));
        }

        await dispose;
        Assert.True(time.GetUtcNow() - started < TimeSpan.FromHours(1)); // ended by the drain timeout, not the per-event timeout
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
