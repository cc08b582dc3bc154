using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Workflow;

/// <summary>
/// How a rollback tells the world what it does: transitions are checked against the <see cref="RollbackStateMachine"/> and
/// journaled before the state changes; events go to the notifiers; progress and over-budget notices run on timers.
/// </summary>
internal sealed class RollbackRecorder(JournalRecorder journal, NotificationFanOut notifications, IOptions<WorkflowOptions> options, ILogger<RollbackRecorder> logger)
{
    private readonly TimeSpan _progressInterval = options.Value.ProgressInterval;

    /// <summary>The journal writer.</summary>
    public JournalRecorder Journal { get; } = journal;

    /// <summary>The clock.</summary>
    public TimeProvider Time => Journal.Time;

    /// <summary>Journals the move to <paramref name="state"/>, then makes it.</summary>
    public async ValueTask TransitionAsync(WorkflowRun run, RollbackState state, string? message, CancellationToken cancellationToken)
    {
        RollbackStateMachine.EnsureCanTransition(run.State, state, historyConsistent: run.HistoryProblem is null);
        await Journal.TransitionAsync(run.RollbackId, run.Target.Id, state, message, cancellationToken).ConfigureAwait(false);
        run.State = state;
        Log.Transition(logger, run.RollbackId, run.Target.Id, state);
    }

    /// <summary>Publishes an event about a run to every notifier.</summary>
    public void Publish(
        RollbackEventKind kind,
        WorkflowRun run,
        string message,
        string? approvalId = null,
        string? stepName = null,
        bool? stepSucceeded = null,
        TimeSpan? duration = null,
        string? actor = null,
        RollbackSeverity? severity = null)
    {
        if (notifications.NotifierCount == 0)
        {
            return;
        }

        notifications.Publish(new RollbackEvent
        {
            Kind = kind,
            RollbackId = run.RollbackId,
            Target = run.Target,
            Severity = severity ?? run.Request.Severity,
            Message = message,
            Timestamp = Time.GetUtcNow(),
            Request = run.Request,
            ApprovalId = approvalId,
            StepName = stepName,
            StepSucceeded = stepSucceeded,
            Duration = duration,
            Actor = actor ?? run.ApprovedBy,
            EvidencePath = run.EvidencePath,
        });
    }

    /// <summary>Publishes an event about a request that started no rollback (an alert).</summary>
    public void Publish(RollbackEventKind kind, RollbackRequest request, string message)
    {
        if (notifications.NotifierCount == 0)
        {
            return;
        }

        notifications.Publish(new RollbackEvent
        {
            Kind = kind,
            RollbackId = null,
            Target = request.Target,
            Severity = request.Severity,
            Message = message,
            Timestamp = Time.GetUtcNow(),
            Request = request,
            Actor = request.RequestedBy,
        });
    }

    /// <summary>Starts the progress notices (every <see cref="WorkflowOptions.ProgressInterval"/>) and the over-budget notice.</summary>
    public ProgressTimers StartProgress(WorkflowRun run, TimeSpan budget)
    {
        ITimer? progress = null;
        ITimer? overBudget = null;
        var time = Time;
        if (_progressInterval > TimeSpan.Zero)
        {
            progress = time.CreateTimer(
                _ => Publish(RollbackEventKind.Progress, run, $"Rollback of {run.Target.Id} still running ({run.State}) after {time.GetElapsedTime(run.PlaybookStartTimestamp)}; {run.StepsSnapshot().Length} steps done.", duration: time.GetElapsedTime(run.PlaybookStartTimestamp)),
                null,
                _progressInterval,
                _progressInterval);
        }

        if (budget > TimeSpan.Zero && budget != Timeout.InfiniteTimeSpan)
        {
            overBudget = time.CreateTimer(
                _ =>
                {
                    Log.OverBudget(logger, run.RollbackId, run.Target.Id, budget);
                    Publish(RollbackEventKind.Progress, run, $"Rollback of {run.Target.Id} exceeded its time budget of {budget} (still {run.State}).", duration: time.GetElapsedTime(run.PlaybookStartTimestamp));
                },
                null,
                budget,
                Timeout.InfiniteTimeSpan);
        }

        return new ProgressTimers(progress, overBudget);
    }
}

/// <summary>The progress and over-budget timers of a run; disposing stops them.</summary>
internal readonly struct ProgressTimers(ITimer? progress, ITimer? overBudget) : IDisposable
{
    public void Dispose()
    {
        progress?.Dispose();
        overBudget?.Dispose();
    }
}
