using Microsoft.Extensions.Time.Testing;

namespace RollbackKit.Testing;

/// <summary>A <see cref="FakeTimeProvider"/> that counts the timers armed on it, so the host sees that background work moved on.</summary>
internal sealed class CountingFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;
    private int _fired;

    /// <summary>How many timers have been created so far.</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    /// <summary>How many timer callbacks have run so far.</summary>
    public int TimersFired => Volatile.Read(ref _fired);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        ArgumentNullException.ThrowIfNull(callback);
        return base.CreateTimer(
            s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            },
            state,
            dueTime,
            period);
    }
}
