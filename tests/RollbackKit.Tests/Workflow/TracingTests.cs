using System.Collections.Concurrent;
using System.Diagnostics;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Telemetry;

namespace RollbackKit.Tests.Workflow;

public sealed class TracingTests : IDisposable
{
    private static readonly ActivitySource Tick = new("RollbackKit.Tests.Tick");
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RollbackKitTelemetry.ActivitySourceName or "RollbackKit.Tests.Tick",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Dispatch_FromATick_LinksDispatchRollbackStepAndNotifySpans_AndJournalsTheTraceId()
    {
        await using var h = WorkflowHarness.Create();
        string rollbackId;
        ActivityTraceId traceId;
        ActivitySpanId tickSpanId;
        using (var tick = Tick.StartActivity("monitor tick (simulated)"))
        {
            Assert.NotNull(tick);
            traceId = tick.TraceId;
            tickSpanId = tick.SpanId;
            var result = await h.Dispatcher.DispatchAsync(h.Request());
            Assert.Equal(DispatchStatus.Started, result.Status);
            rollbackId = result.RollbackId!;
        }

        await h.WaitAsync(rollbackId);
        await h.Notifier.WaitForAsync(RollbackEventKind.Succeeded);

        var mine = _stopped.Where(a => a.TraceId == traceId).ToArray();
        var dispatch = Assert.Single(mine, a => a.OperationName == "rollbackkit.dispatch");
        Assert.Equal(tickSpanId, dispatch.ParentSpanId);
        Assert.Equal("app", dispatch.GetTagItem(RollbackKitTags.TargetId));
        Assert.Equal("MetricTrigger", dispatch.GetTagItem(RollbackKitTags.TriggerType));
        Assert.Equal("started", dispatch.GetTagItem(RollbackKitTags.Decision));

        var rollback = Assert.Single(mine, a => a.OperationName == "rollbackkit.rollback");
        Assert.Equal(dispatch.SpanId, rollback.ParentSpanId);
        Assert.Equal(rollbackId, rollback.GetTagItem(RollbackKitTags.RollbackId));
        Assert.Equal("RolledBack", rollback.GetTagItem(RollbackKitTags.State));

        var step = Assert.Single(mine, a => a.OperationName == "rollbackkit.step");
        Assert.Equal(rollback.SpanId, step.ParentSpanId);
        Assert.Equal("test", step.GetTagItem(RollbackKitTags.StepType));
        Assert.Equal("succeeded", step.GetTagItem(RollbackKitTags.Outcome));

        // Notifier deliveries continue the context the event was published in.
        await WaitForAsync(() => _stopped.Any(a => a.TraceId == traceId && a.OperationName == "rollbackkit.notify" && (string?)a.GetTagItem(RollbackKitTags.EventKind) == "Succeeded"));
        var notify = _stopped.First(a => a.TraceId == traceId && a.OperationName == "rollbackkit.notify" && (string?)a.GetTagItem(RollbackKitTags.EventKind) == "Succeeded");
        Assert.Equal(rollback.SpanId, notify.ParentSpanId);

        var requested = Assert.Single(await h.Journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal(rollbackId, requested.RollbackId);
        Assert.Equal(traceId.ToHexString(), requested.TraceId);
    }

    [Fact]
    public async Task Dispatch_AlertOnly_DispatchSpanRecordsTheDecision_NoRollbackSpan()
    {
        await using var h = WorkflowHarness.Create();
        ActivityTraceId traceId;
        using (var tick = Tick.StartActivity("monitor tick (simulated)"))
        {
            traceId = tick!.TraceId;
            Assert.Equal(DispatchStatus.AlertRaised, (await h.Dispatcher.DispatchAsync(h.Request(alertOnly: true))).Status);
        }

        var mine = _stopped.Where(a => a.TraceId == traceId).ToArray();
        Assert.Equal("alert", Assert.Single(mine, a => a.OperationName == "rollbackkit.dispatch").GetTagItem(RollbackKitTags.Decision));
        Assert.DoesNotContain(mine, a => a.OperationName == "rollbackkit.rollback");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }
}
