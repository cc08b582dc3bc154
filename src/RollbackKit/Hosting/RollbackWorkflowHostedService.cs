using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Telemetry;
using RollbackKit.Workflow;

namespace RollbackKit.Hosting;

/// <summary>
/// At start, resumes (or marks for attention) rollbacks a previous process left unfinished; then periodically looks for
/// unfinished rollbacks whose target lock has become free (for example after another replica died).
/// </summary>
internal sealed class RollbackWorkflowHostedService(
    RollbackDispatcher dispatcher,
    IOptions<WorkflowOptions> options,
    TimeProvider timeProvider,
    ILogger<RollbackWorkflowHostedService> logger) : IHostedService, IDisposable
{
    private ITimer? _timer;
    private int _scanning;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var taken = await dispatcher.ResumeUnfinishedAsync(cancellationToken).ConfigureAwait(false);
        if (taken > 0)
        {
            Log.TookOver(logger, taken);
        }

        var interval = options.Value.UnfinishedScanInterval;
        if (interval > TimeSpan.Zero)
        {
            _timer = timeProvider.CreateTimer(_ => _ = ScanAsync(), null, interval, interval);
        }
    }

    private async Task ScanAsync()
    {
        if (Interlocked.Exchange(ref _scanning, 1) != 0)
        {
            return;
        }

        try
        {
            var taken = await dispatcher.ResumeUnfinishedAsync(CancellationToken.None).ConfigureAwait(false);
            if (taken > 0)
            {
                Log.TookOver(logger, taken);
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ScanFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _scanning, 0);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
