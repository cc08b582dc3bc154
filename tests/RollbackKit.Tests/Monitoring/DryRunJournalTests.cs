using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Testing;
using RollbackKit.Tests.Workflow;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Monitoring;

/// <summary>From a real monitor tick to the journal: a dry-run trigger's fire is recorded, and nothing is acted on.</summary>
public class DryRunJournalTests
{
    [Fact]
    public async Task TickAsync_DryRunTriggerFires_JournalHoldsDryRunFiredWithMeasuredValues()
    {
        FakeMetricSource? source = null;
        await using var h = WorkflowHarness.Create(
            o =>
            {
                o.Queries.Add(new() { Name = "canary_error_rate", Expression = "canary{name=\"{{name}}\"}" });
                o.Queries.Add(new() { Name = "baseline_error_rate", Expression = "baseline{name=\"{{name}}\"}" });
                o.Triggers.Add(new TriggerDefinition
                {
                    Name = "error-rate",
                    Condition = "canary_error_rate > baseline_error_rate * 1.5",
                    Severity = RollbackSeverity.Critical,
                    DryRun = true,
                });
            },
            s => s.AddSingleton<IMetricSource>(sp => source = new FakeMetricSource(sp.GetRequiredService<TimeProvider>())));
        var monitor = h.Services.GetRequiredService<IRollbackMonitor>();
        h.Services.GetRequiredService<IMetricSource>();
        source!.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 5.2);

        var tick = await monitor.TickAsync();

        Assert.Equal(2, tick.Fired);
        var entries = await h.Journal.ReadAsync();
        Assert.Equal(["app", "web"], entries.Where(e => e.Kind == JournalEntryKind.DryRunFired).Select(e => e.TargetId).Order());
        var app = entries.Single(e => e.Kind == JournalEntryKind.DryRunFired && e.TargetId == "app");
        Assert.Equal("error-rate", app.Actor);
        Assert.Equal(5.2, app.Request!.Evidence!.Actual);
        Assert.Equal(0.75, app.Request.Evidence.Threshold!.Value, 6);
        Assert.Contains(app.Request.Evidence.Values, v => v.Name == "baseline_error_rate" && v.Value == 0.5);
        Assert.DoesNotContain(entries, e => e.Kind is JournalEntryKind.Requested or JournalEntryKind.Alert);
        Assert.Equal(0, h.StepRuns);
    }
}
