namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// The replayed clock: <see cref="GetUtcNow"/> is the step being replayed. Its timers never fire: replayed sources answer
/// at once from memory, so a query timeout cannot elapse during a replay.
/// </summary>
internal sealed class ReplayClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock to the next step.</summary>
    public void Set(DateTimeOffset now) => _now = now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => IdleTimer.Instance;

    private sealed class IdleTimer : ITimer
    {
        public static readonly IdleTimer Instance = new();

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => default;
    }
}
