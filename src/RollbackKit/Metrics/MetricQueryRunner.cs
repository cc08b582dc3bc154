using System.Diagnostics;
using System.Globalization;
using RollbackKit.Telemetry;

namespace RollbackKit.Metrics;

/// <summary>
/// Runs one query batch against its source with the query's timeout, so that a source never throws into the engine:
/// a timeout or an exception becomes an error for every target of the batch. Each run is a <c>rollbackkit.query</c> span.
/// </summary>
internal static class MetricQueryRunner
{
    /// <summary>Runs <paramref name="batch"/> (already reset to its evaluation time) on <paramref name="source"/>.</summary>
    /// <param name="source">The source answering the query.</param>
    /// <param name="batch">The batch; on return every target has a value, no data or an error.</param>
    /// <param name="time">The clock the query's timeout runs on.</param>
    /// <param name="cancellationToken">Cancels the run (rethrown, unlike the timeout).</param>
    public static async Task RunAsync(IMetricSource source, MetricQueryBatch batch, TimeProvider time, CancellationToken cancellationToken)
    {
        using var activity = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.query");
        activity?.SetTag(RollbackKitTags.Query, batch.Query.Name);
        activity?.SetTag(RollbackKitTags.Source, source.Name);
        using var timeout = new CancellationTokenSource(batch.Query.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await source.QueryAsync(batch, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            batch.SetErrorForAll($"query '{batch.Query.Name}' timed out after {batch.Query.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Sources must not throw into the engine: any exception becomes an error result.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            batch.SetErrorForAll($"query '{batch.Query.Name}' failed in source '{source.Name}': {ex.GetType().Name}: {ex.Message}");
        }

        batch.SetNoDataForUnanswered();
        if (activity is not null)
        {
            var failed = batch.Error is not null;
            activity.SetTag(RollbackKitTags.Outcome, failed ? "failed" : "succeeded");
            if (failed)
            {
                activity.SetStatus(ActivityStatusCode.Error, batch.Error);
            }
        }
    }
}
