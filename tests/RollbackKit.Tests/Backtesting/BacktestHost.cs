using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Metrics;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Backtesting;

/// <summary>A test host whose queries are answered by a <see cref="SeriesSource"/>, live and as history, with the backtester added.</summary>
internal static class BacktestHost
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static RollbackKitTestHost Create(Action<RollbackKitOptions> configure, SeriesSource series) =>
        RollbackKitTestHost.Create(
            o =>
            {
                configure(o);
                foreach (var query in o.Queries)
                {
                    query.Source = series.Name;
                }
            },
            Start,
            services =>
            {
                services.AddSingleton<IMetricSource>(series);
                services.AddSingleton<IMetricHistorySource>(series);
                services.AddRollbackKit().AddBacktesting();
            });

    public static IBacktester Backtester(this RollbackKitTestHost host) => host.Services.GetRequiredService<IBacktester>();
}
