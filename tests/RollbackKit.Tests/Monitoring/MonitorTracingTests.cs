using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NSubstitute;
using RollbackKit.Dispatch;
using RollbackKit.Telemetry;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;

namespace RollbackKit.Tests.Monitoring;

public class MonitorTracingTests
{
    [Fact]
    public async Task Tick_WithListener_TickSpanHasQueryAndEvaluateChildrenAndDispatchesInsideIt()
    {
        using var testSource = new ActivitySource("RollbackKit.Tests.Tracing");
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RollbackKitTelemetry.ActivitySourceName or "RollbackKit.Tests.Tracing",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        Activity? currentAtDispatch = null;
        var dispatcher = Substitute.For<IRollbackDispatcher>();
        dispatcher.DispatchAsync(Arg.Any<RollbackRequest>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            currentAtDispatch = Activity.Current;
            return ValueTask.FromResult(new DispatchResult(DispatchStatus.Started, "run-1", null));
        });
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers[0].For = TimeSpan.Zero;
        }, configureServices: s =>
        {
            s.RemoveAll<IRollbackDispatcher>();
            s.AddSingleton(dispatcher);
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.0);

        ActivityTraceId traceId;
        using (var root = testSource.StartActivity("test"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            var result = await host.Monitor.TickAsync();
            Assert.Equal(1, result.Dispatched);
        }

        var spans = stopped.Where(a => a.TraceId == traceId).ToList();
        var tick = Assert.Single(spans, a => a.OperationName == "rollbackkit.monitor.tick");
        Assert.Equal(1, tick.GetTagItem(RollbackKitTags.TargetCount));
        Assert.Equal(1, tick.GetTagItem(RollbackKitTags.FiredCount));

        var queries = spans.Where(a => a.OperationName == "rollbackkit.query").ToList();
        Assert.Equal(["baseline_error_rate", "canary_error_rate"], queries.Select(q => (string)q.GetTagItem(RollbackKitTags.Query)!).Order());
        Assert.All(queries, q =>
        {
            Assert.Equal(tick.SpanId, q.ParentSpanId);
            Assert.Equal("fake", q.GetTagItem(RollbackKitTags.Source));
            Assert.Equal("succeeded", q.GetTagItem(RollbackKitTags.Outcome));
        });

        var evaluate = Assert.Single(spans, a => a.OperationName == "rollbackkit.evaluate");
        Assert.Equal(tick.SpanId, evaluate.ParentSpanId);
        Assert.Equal(1, evaluate.GetTagItem(RollbackKitTags.FiredCount));

        // The dispatcher ran while the tick span was current: its spans become the tick's children.
        Assert.NotNull(currentAtDispatch);
        Assert.Equal(tick.SpanId, currentAtDispatch.SpanId);
    }

    [Fact]
    public async Task Tick_QueryFails_QuerySpanIsMarkedFailed()
    {
        var broken = Substitute.For<RollbackKit.Metrics.IMetricSource>();
        broken.Name.Returns("broken");
        broken.QueryAsync(Arg.Any<RollbackKit.Metrics.MetricQueryBatch>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new HttpRequestException("connection refused"));
        using var testSource = new ActivitySource("RollbackKit.Tests.Tracing.Failed");
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RollbackKitTelemetry.ActivitySourceName or "RollbackKit.Tests.Tracing.Failed",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Queries[0].Source = "broken";
            o.Queries[1].Source = "fake";
        }, configureServices: s => s.AddSingleton(broken));

        ActivityTraceId traceId;
        using (var root = testSource.StartActivity("test"))
        {
            traceId = root!.TraceId;
            await host.Monitor.TickAsync();
        }

        var failed = Assert.Single(stopped, a => a.TraceId == traceId && a.OperationName == "rollbackkit.query" && (string?)a.GetTagItem(RollbackKitTags.Query) == "canary_error_rate");
        Assert.Equal("broken", failed.GetTagItem(RollbackKitTags.Source));
        Assert.Equal("failed", failed.GetTagItem(RollbackKitTags.Outcome));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Contains("connection refused", failed.StatusDescription, StringComparison.Ordinal);
    }
}
