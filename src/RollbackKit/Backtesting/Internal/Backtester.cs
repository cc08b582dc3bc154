using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;

namespace RollbackKit.Backtesting.Internal;

/// <summary>Replays a configuration over history through the monitor's own code and the dispatcher's admission.</summary>
internal sealed class Backtester(
    IOptions<RollbackKitOptions> options,
    IOptions<DispatchOptions> dispatchOptions,
    IRollbackTargetCatalog catalog,
    IEnumerable<IMetricHistorySource> sources) : IBacktester
{
    private readonly RollbackKitOptions _options = options.Value;
    private readonly DispatchOptions _dispatch = dispatchOptions.Value;
    private readonly IMetricHistorySource[] _sources = [.. sources];

    public Task<BacktestResult> RunAsync(BacktestRequest request, IProgress<BacktestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = (_options, _dispatch, _sources, catalog);
        throw new NotSupportedException("not yet");
    }
}
