using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace RollbackKit.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer the code under test arms (delays, timeouts), so a test
/// moves the clock exactly when that code waits on it: no polling, no real-time sleeps.
/// </summary>
internal sealed class ObservableFakeTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public ObservableFakeTimeProvider()
    {
    }

    public ObservableFakeTimeProvider(DateTimeOffset startDateTime)
        : base(startDateTime)
    {
    }

    /// <summary>How long a test waits in real time for the code under test before failing instead of hanging.</summary>
    public static TimeSpan WaitLimit { get; } = TimeSpan.FromSeconds(20);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Report(dueTime);
        return timer;
    }

    /// <summary>Completes once a timer due in <paramref name="dueTime"/> has been armed (timers with other due times are skipped).</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        // The real-time bound only turns a hang into a failure; a passing test never gets near it.
        using var limit = new CancellationTokenSource(WaitLimit);
        while (await _armed.Reader.ReadAsync(limit.Token) != dueTime)
        {
        }
    }

    /// <summary>Waits for a timer due in <paramref name="dueTime"/>, then advances the clock by exactly that much.</summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Advance(dueTime);
    }

    private void Report(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Writer.TryWrite(dueTime);
        }
    }

    /// <summary>Reports re-armed timers too (a cancellation source's CancelAfter changes an existing timer).</summary>
    private sealed class ObservedTimer(ITimer inner, ObservableFakeTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.Report(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
