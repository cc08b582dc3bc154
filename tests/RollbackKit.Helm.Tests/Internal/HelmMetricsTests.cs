using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;

namespace RollbackKit.Helm.Tests.Internal;

public sealed class HelmMetricsTests : IDisposable
{
    private readonly TempDirectory _home = new();

    [Fact]
    public async Task RollbackStep_RecordsCommandDurationsAndOutcome()
    {
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        using var durations = new MetricCollector<double>(meterFactory, "RollbackKit", "rollbackkit.helm.command.duration");
        using var rollbacks = new MetricCollector<long>(meterFactory, "RollbackKit", "rollbackkit.helm.rollbacks");
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", """[{"revision":1,"status":"superseded"},{"revision":2,"status":"failed"}]""");
        var metrics = new HelmMetrics(meterFactory);
        using var cli = new HelmCli(Options.Create(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path }), new HelmProcessRunner(TimeProvider.System), metrics);
        var step = new HelmRollbackStepFactory(cli, metrics).Create(TestHelm.Definition(HelmStepTypes.Rollback));

        var result = await step.ExecuteAsync(TestHelm.Context(new RecordingEvidence()), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(
            ["version", "history", "rollback", "history"],
            durations.GetMeasurementSnapshot().Select(m => (string)m.Tags["helm.command"]!));
        Assert.All(durations.GetMeasurementSnapshot(), m => Assert.Equal("success", m.Tags["outcome"]));
        Assert.All(durations.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
        var rollback = Assert.Single(rollbacks.GetMeasurementSnapshot());
        Assert.Equal(1, rollback.Value);
        Assert.Equal("success", rollback.Tags["outcome"]);
    }

    [Fact]
    public async Task RunAsync_RecordsASpanPerHelmProcess()
    {
        using var fake = FakeHelm.Scripted();
        using var cli = new HelmCli(Options.Create(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path }), new HelmProcessRunner(TimeProvider.System), new HelmMetrics(TestMeters.Factory));
        using var spans = new SpanCollector();

        await cli.GetVersionAsync(CancellationToken.None);

        var span = Assert.Single(spans.Spans("rollbackkit.helm.command"));
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Equal("version", span.GetTagItem("helm.command"));
        Assert.Equal("success", span.GetTagItem("outcome"));
        Assert.Equal(0, span.GetTagItem("process.exit.code"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    public void Dispose() => _home.Dispose();
}
