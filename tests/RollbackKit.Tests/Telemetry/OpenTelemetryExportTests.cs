using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Telemetry;
using RollbackKit.Testing;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Telemetry;

/// <summary>
/// A rollback seen through OpenTelemetry exactly as a user wires it (<c>AddMeter("RollbackKit")</c>,
/// <c>AddSource("RollbackKit")</c>): one trace from the monitor tick that saw the regression, through the dispatch
/// decision and the rollback run, to the playbook step; the journal's request carries that trace id; the rollback's
/// metrics are exported.
/// </summary>
public sealed class OpenTelemetryExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-otel-").FullName;

    [Fact]
    public async Task Rollback_FromTick_ExportsOneTraceTickDispatchRollbackStep_AndMetrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var source = new FakeMetricSource(time);
        source.Set("canary_error_rate", 5.0).Set("baseline_error_rate", 0.5);
        var journal = Path.Combine(_dir, "journal.jsonl");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IMetricSource>(source);
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(RollbackKitTelemetry.ActivitySourceName).AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddMeter(RollbackKitTelemetry.MeterName).AddInMemoryExporter(metrics));
        builder.Services.AddRollbackKit(o =>
            {
                o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["namespace"] = "shop", ["name"] = "checkout" } });
                o.Queries.Add(new MetricQueryDefinition { Name = "canary_error_rate", Expression = "canary" });
                o.Queries.Add(new MetricQueryDefinition { Name = "baseline_error_rate", Expression = "baseline" });
                o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "canary_error_rate > baseline_error_rate * 1.5", Severity = RollbackSeverity.Critical });
                o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "undo", Name = "undo" }] };
                o.Workflow.JournalPath = journal;
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddPlaybookStep("undo", static (_, _) => ValueTask.FromResult(StepResult.Success("undone")));
        using var host = builder.Build();
        var tracerProvider = host.Services.GetRequiredService<TracerProvider>();
        var meterProvider = host.Services.GetRequiredService<MeterProvider>();
        var monitor = host.Services.GetRequiredService<IRollbackMonitor>();
        var controller = host.Services.GetRequiredService<IRollbackController>();

        var tick = await monitor.TickAsync();
        Assert.Equal(1, tick.Dispatched);
        var status = Assert.IsType<RollbackStatus>(controller.GetStatus("shop/checkout"));
        var completed = await controller.WaitForCompletionAsync(status.RollbackId).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(RollbackState.RolledBack, completed.State);
        Assert.True(tracerProvider.ForceFlush());
        Assert.True(meterProvider.ForceFlush());

        // The providers listen process-wide, so tests running in parallel add their spans too: stop them (disposing the
        // host disposes the providers) before reading, then keep to this rollback's trace.
        host.Dispose();
        var rollbackSpan = Assert.Single(spans, a => a.OperationName == "rollbackkit.rollback" && (string?)a.GetTagItem(RollbackKitTags.RollbackId) == status.RollbackId);
        var trace = spans.Where(a => a.TraceId == rollbackSpan.TraceId).ToList();
        var tickSpan = Assert.Single(trace, a => a.OperationName == "rollbackkit.monitor.tick");
        var dispatch = Assert.Single(trace, a => a.OperationName == "rollbackkit.dispatch");
        var rollback = Assert.Single(trace, a => a.OperationName == "rollbackkit.rollback");
        var step = Assert.Single(trace, a => a.OperationName == "rollbackkit.step");
        Assert.Equal(tickSpan.SpanId, dispatch.ParentSpanId);
        Assert.Equal(dispatch.SpanId, rollback.ParentSpanId);
        Assert.Equal(rollback.SpanId, step.ParentSpanId);
        Assert.Equal("started", dispatch.GetTagItem(RollbackKitTags.Decision));
        Assert.Equal(status.RollbackId, rollback.GetTagItem(RollbackKitTags.RollbackId));
        Assert.Equal("undo", step.GetTagItem(RollbackKitTags.StepType));
        Assert.Equal(2, trace.Count(a => a.OperationName == "rollbackkit.query"));

        var requested = File.ReadLines(journal).Single(l => l.Contains("\"Requested\"", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(tickSpan.TraceId.ToHexString(), requested, StringComparison.Ordinal);

        var names = metrics.Select(m => m.Name).ToHashSet();
        Assert.Contains("rollbackkit.tick.duration", names);
        Assert.Contains("rollbackkit.trigger.fired", names);
        Assert.Contains("rollbackkit.rollback.started", names);
        Assert.Contains("rollbackkit.rollback.succeeded", names);
        Assert.Contains("rollbackkit.step.duration", names);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
