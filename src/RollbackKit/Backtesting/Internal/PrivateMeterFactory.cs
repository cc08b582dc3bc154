using System.Diagnostics.Metrics;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// Meters of a replay, kept apart from the live ones (named <c>RollbackKit.Backtest</c>) and disposed with it. The
/// replayed monitor records its ticks, fires and errors like the live one; through the host's factory those
/// measurements would reach every listener on the <c>RollbackKit</c> meter (dashboards, alerts) as if they had happened
/// now. The host's <see cref="IMeterFactory"/> cannot rename a meter, so the replay has this one of its own.
/// </summary>
internal sealed class PrivateMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions("RollbackKit.Backtest") { Scope = this });
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
