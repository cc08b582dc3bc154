using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RollbackKit.Telemetry;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Telemetry;

public class ActiveRollbackGaugeTests
{
    [Fact]
    public void ActiveGauge_RunsPendingAndAwaitingApproval_ReportedByStateWithZeros()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRollbackKit();
        using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var active = new MetricCollector<int>(meterFactory, RollbackKitTelemetry.MeterName, "rollbackkit.rollback.active");
        var registry = provider.GetRequiredService<RollbackRegistry>();

        active.RecordObservableInstruments();
        Assert.All(active.GetMeasurementSnapshot(), m => Assert.Equal(0, m.Value));

        Track(registry, "run-1", "shop/checkout", RollbackState.AwaitingApproval);
        Track(registry, "run-2", "shop/cart", RollbackState.RollingBack);
        Track(registry, "run-3", "shop/search", RollbackState.AwaitingApproval);
        active.Clear();
        active.RecordObservableInstruments();

        var byState = active.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[RollbackKitTags.State]!, m => m.Value);
        Assert.Equal(
            new Dictionary<string, int> { ["RollbackPending"] = 0, ["AwaitingApproval"] = 2, ["RollingBack"] = 1, ["Verifying"] = 0 },
            byState);
    }

    private static void Track(RollbackRegistry registry, string id, string target, RollbackState state)
    {
        var request = new RollbackRequest { Target = new RollbackTarget(target), TriggerType = RollbackTriggerType.Manual, Reason = "test" };
        registry.Track(registry.Runtime(target), new WorkflowRun(id, request.Target, request, state, DateTimeOffset.UnixEpoch, resumed: false));
    }
}
