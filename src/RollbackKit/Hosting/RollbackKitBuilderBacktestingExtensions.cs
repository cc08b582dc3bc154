using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Backtesting;
using RollbackKit.Backtesting.Internal;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the backtester to RollbackKit.</summary>
public static class RollbackKitBuilderBacktestingExtensions
{
    /// <summary>
    /// Registers <see cref="IBacktester"/>: replays the configured targets, queries, triggers and baselines over the history
    /// of the registered <see cref="IMetricHistorySource"/>s (adapters such as <c>.AddPrometheus()</c> register one).
    /// Safe to call more than once.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddBacktesting(this IRollbackKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IBacktester>(static sp => new Backtester(
            sp.GetRequiredService<IOptions<RollbackKitOptions>>(),
            sp.GetRequiredService<IOptions<DispatchOptions>>(),
            sp.GetRequiredService<IRollbackTargetCatalog>(),
            sp.GetServices<IMetricHistorySource>()));
        return builder;
    }
}
