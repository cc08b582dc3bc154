using System.Globalization;
using RollbackKit.Notifications;

namespace RollbackKit.Quickstart;

/// <summary>Writes timestamped lines relative to the start of the run.</summary>
internal sealed class Console2(TimeProvider time)
{
    private readonly DateTimeOffset _start = time.GetUtcNow();
    private readonly Lock _gate = new();

    public void Line(string tag, string text)
    {
        var elapsed = (time.GetUtcNow() - _start).TotalSeconds;
        lock (_gate)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[+{elapsed,5:0.0}s] {tag,-10} {text}"));
        }
    }
}

/// <summary>A notifier that prints every rollback event.</summary>
internal sealed class ConsoleNotifier(Console2 console) : INotifier
{
    public string Name => "console";

    public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        var text = rollbackEvent.Kind switch
        {
            RollbackEventKind.AwaitingApproval => $"{rollbackEvent.Message} (approval id {rollbackEvent.ApprovalId}; nobody answers in this demo)",
            RollbackEventKind.StepCompleted => $"{rollbackEvent.StepName}: {(rollbackEvent.StepSucceeded == true ? "ok" : "FAILED")} in {rollbackEvent.Duration?.TotalMilliseconds:0} ms — {rollbackEvent.Message}",
            _ => rollbackEvent.Message,
        };
        console.Line(rollbackEvent.Kind.ToString().ToLowerInvariant(), $"[{rollbackEvent.Severity.ToString()}] {text}");
        return ValueTask.CompletedTask;
    }
}
