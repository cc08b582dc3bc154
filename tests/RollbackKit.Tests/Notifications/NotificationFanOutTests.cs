using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
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
        await using var fanOut = new NotificationFanOut([hanging, recording], Options.Create(new RollbackKitOptions()), time, NullLogger<NotificationFanOut>.Instance);
        for (var i = 0; i < 5; i++)
        {
            fanOut.Publish(new RollbackEvent { Kind = RollbackEventKind.Progress, Target = new RollbackTarget("app"), Message = i.ToString() });
        }

        await recording.WaitForAsync(e => e.Message == "4");
        Assert.Equal(["0", "1", "2", "3", "4"], recording.Events.Select(e => e.Message));
        Assert.Equal(1, hanging.Calls);
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
