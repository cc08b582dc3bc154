using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>A failing Prometheus under <c>FakeTimeProvider</c>: the tick fails promptly instead of waiting on a clock nobody advances.</summary>
public sealed class PrometheusFakeTimeTests
{
    private readonly ConcurrentQueue<string> _requests = new();

    [Fact]
    public async Task TickAsync_PrometheusAnswers503_CompletesWithAnErrorAfterRetries()
    {
        await using var server = await LoopbackHttpServer.StartAsync(Unavailable);
        await using var host = CreateHost(server.BaseAddress);

        // The real-time bound is a guard against a hang only.
        var result = await host.TickAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.QueryErrors);
        Assert.Equal(0, result.Dispatched);
        Assert.Equal(3, _requests.Count); // the first try and two retries (no backoff waited on the fake clock)
        Assert.Empty(host.Dispatcher.Rollbacks);
    }

    [Fact]
    public async Task MonitorTickAsync_PrometheusAnswers503AndNobodyAdvancesTime_FailsWithoutRetrying()
    {
        await using var server = await LoopbackHttpServer.StartAsync(Unavailable);
        await using var host = CreateHost(server.BaseAddress, retryDelay: TimeSpan.FromSeconds(10));

        // A retry whose delay does not fit in the query's 5 s timeout is not attempted: the tick fails at once.
        var result = await host.Monitor.TickAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.QueryErrors);
        Assert.Single(_requests);
    }

    [Fact]
    public async Task MonitorTickAsync_PrometheusAnswers503WithDefaultRetriesAndClockNeverAdvanced_CompletesWithAnError()
    {
        await using var server = await LoopbackHttpServer.StartAsync(Unavailable);
        await using var host = CreateHost(server.BaseAddress);
        var clock = host.Time.GetUtcNow();

        // The monitor itself, not the host's TickAsync (which advances the clock). The real-time bound only turns a hang into a
        // failure: a tick waiting on the fake clock is cancelled and throws.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await host.Monitor.TickAsync(guard.Token);

        Assert.Equal(1, result.QueryErrors);
        Assert.Equal(0, result.Dispatched);
        Assert.Equal(3, _requests.Count); // the first try and both retries, none waiting on the fake clock
        Assert.Equal(clock, host.Time.GetUtcNow());
    }

    private RollbackKitTestHost CreateHost(Uri prometheus, TimeSpan? retryDelay = null) => RollbackKitTestHost.Create(
        o =>
        {
            o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["name"] = "checkout" } });
            o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "rate{name=\"{{name}}\"}", Source = "prometheus" });
            o.Triggers.Add(new TriggerDefinition { Name = "errors", Condition = "error_rate > 1", NoData = NoDataPolicy.Fail });
            o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
        },
        configureServices: services => services.AddRollbackKit().AddPrometheus(p =>
        {
            p.BaseAddress = prometheus;
            p.RetryDelay = retryDelay ?? TimeSpan.FromMilliseconds(200);
        }));

    private async Task Unavailable(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        _requests.Enqueue(form["query"].ToString());
        context.Response.StatusCode = 503;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"error","errorType":"unavailable","error":"overloaded"}""");
    }
}
