using RollbackKit.Verification;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Journal;

namespace RollbackKit.Workflow;

/// <summary>
/// The workflow's verification phase: re-checks the target through the <see cref="ITargetHealthProbe"/> for
/// <see cref="WorkflowOptions.VerificationWindow"/>; the target must be healthy at the end of the window.
/// </summary>
internal sealed class VerificationStage
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(15);
    private readonly WorkflowOptions _options;
    private readonly RollbackRecorder _recorder;
    private readonly ITargetHealthProbe? _probe;

    /// <summary>Creates the stage; without a probe, targets are assumed healthy.</summary>
    public VerificationStage(IOptions<WorkflowOptions> options, RollbackRecorder recorder, ITargetHealthProbe? probe = null)
    {
        _options = options.Value;
        _recorder = recorder;
        _probe = probe;
    }

    /// <summary>Moves the run to <see cref="RollbackState.Verifying"/> and checks; returns whether the target is healthy.</summary>
    public async ValueTask<bool> VerifyAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        await _recorder.TransitionAsync(run, RollbackState.Verifying, null, cancellationToken).ConfigureAwait(false);
        if (!_options.VerificationEnabled)
        {
            run.Verification = new VerificationRecord { Performed = false, Success = true, Summary = "verification disabled" };
            return true;
        }

        if (_probe is null)
        {
            run.Verification = new VerificationRecord { Performed = false, Success = true, Summary = "no health probe registered; assumed healthy" };
            return true;
        }

        var time = _recorder.Time;
        if (run.PlaybookStartedAt is null)
        {
            run.PlaybookStartTimestamp = time.GetTimestamp();
        }

        using var progress = _recorder.StartProgress(run, TimeSpan.Zero);
        var window = _options.VerificationWindow < TimeSpan.Zero ? TimeSpan.Zero : _options.VerificationWindow;
        var interval = _options.VerificationInterval <= TimeSpan.Zero ? DefaultInterval : _options.VerificationInterval;
        var start = time.GetTimestamp();
        int total = 0, passed = 0;
        TargetHealth last;
        while (true)
        {
            try
            {
                last = await _probe.ProbeAsync(run.Target, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = new TargetHealth(false, $"health probe failed: {ex.Message}", []);
            }

            total++;
            if (last.Healthy)
            {
                passed++;
            }

            run.ChecksPassed = passed;
            run.ChecksTotal = total;

            run.Evidence.Add($"verification/check-{total}.txt", $"at: {time.GetUtcNow():O}\nhealthy: {last.Healthy}\n{last.Summary}\n{string.Join('\n', (last.Values ?? []).Select(v => $"{v.Name} = {v.Value}"))}");
            var elapsed = time.GetElapsedTime(start);
            if (elapsed >= window)
            {
                break;
            }

            var wait = window - elapsed < interval ? window - elapsed : interval;
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        run.Verification = new VerificationRecord
        {
            Performed = true,
            ChecksTotal = total,
            ChecksPassed = passed,
            Success = last.Healthy,
            Summary = passed == total
                ? $"healthy in {passed}/{total} checks: {last.Summary}"
                : $"{(last.Healthy ? "recovered" : "unhealthy")}, healthy in {passed}/{total} checks: {last.Summary}",
        };
        return last.Healthy;
    }
}
