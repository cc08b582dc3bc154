using System.Globalization;
using RollbackKit.Cli.Planning;
using RollbackKit.Notifications;
using Spectre.Console;

namespace RollbackKit.Cli.Drills;

/// <summary>
/// Shows a drill as it runs, from the rollback's own events: a progress bar of the steps on a terminal, one line per event
/// otherwise (piped output, CI logs).
/// </summary>
internal sealed class DrillProgress(IAnsiConsole console, int stepCount, TimeProvider time, DateTimeOffset startedAt)
{
    private readonly Lock _gate = new();
    private ProgressTask? _task;
    private int _steps;

    /// <summary>Waits for <paramref name="completion"/>, with a progress bar on a terminal.</summary>
    public async Task<T> WaitAsync<T>(Task<T> completion)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await completion.ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                lock (_gate)
                {
                    _task = context.AddTask("waiting for the playbook", maxValue: Math.Max(1, stepCount));
                    _task.Value = _steps;
                }

                var result = await completion.ConfigureAwait(false);
                lock (_gate)
                {
                    _task.Value = _task.MaxValue;
                    _task.StopTask();
                }

                return result;
            }).ConfigureAwait(false);
    }

    /// <summary>Called for each event of the rollback (from the notification workers).</summary>
    public void OnEvent(RollbackEvent rollbackEvent)
    {
        lock (_gate)
        {
            if (rollbackEvent.Kind == RollbackEventKind.StepCompleted)
            {
                _steps++;
            }

            var text = Describe(rollbackEvent);
            if (_task is not null)
            {
                _task.Value = _steps;
                _task.Description = Markup.Escape(text);
                return;
            }

            var elapsed = Durations.Format(time.GetUtcNow() - startedAt);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [+{elapsed}] {text}"));
        }
    }

    private string Describe(RollbackEvent e) => e.Kind switch
    {
        RollbackEventKind.StepCompleted => string.Create(CultureInfo.InvariantCulture,
            $"step {_steps}/{stepCount} '{e.StepName}' {(e.StepSucceeded == false ? "failed" : "succeeded")}{(e.Duration is { } d ? " in " + Durations.Format(d) : string.Empty)}"),
        RollbackEventKind.Fired => "requested: " + e.Message,
        RollbackEventKind.Started => "playbook started",
        RollbackEventKind.Succeeded => "rolled back and verified",
        RollbackEventKind.Failed => "failed: " + e.Message,
        _ => $"{e.Kind}: {e.Message}",
    };
}
