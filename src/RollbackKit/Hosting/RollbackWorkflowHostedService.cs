using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Triggers;
using RollbackKit.Telemetry;
using RollbackKit.Workflow;

namespace RollbackKit.Hosting;

/// <summary>
/// At start, resumes (or marks for attention) rollbacks a previous process left unfinished; then periodically looks for
/// unfinished rollbacks whose target lock has become free (for example after another replica died). Journal lines found
/// corrupt while reading are announced to the notifiers after each scan.
/// </summary>
internal sealed class RollbackWorkflowHostedService(
    RollbackDispatcher dispatcher,
    IOptions<WorkflowOptions> options,
    TimeProvider timeProvider,
    ILogger<RollbackWorkflowHostedService> logger,
    JournalQuarantine? quarantine = null,
    NotificationFanOut? notifications = null) : IHostedService, IDisposable
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

        AnnounceQuarantined();
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

            AnnounceQuarantined();
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

    /// <summary>Tells people about journal lines set aside since the last scan (they were logged and counted already).</summary>
    private void AnnounceQuarantined()
    {
        if (quarantine is null || notifications is null)
        {
            return;
        }

        foreach (var line in quarantine.DrainNew())
        {
            if (notifications.NotifierCount == 0)
            {
                continue;
            }

            notifications.Publish(new RollbackEvent
            {
                Kind = RollbackEventKind.Alert,
                RollbackId = line.RollbackId,
                Target = new RollbackTarget(line.TargetId ?? "journal"),
                Severity = RollbackSeverity.High,
                Message = $"Journal {line.JournalPath} line {line.Line} is corrupt and was set aside in {line.JournalPath}.corrupt: {line.Reason}. Check the rollbacks it names.",
                Timestamp = timeProvider.GetUtcNow(),
            });
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
