using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NSubstitute;
using RollbackKit.Health;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Health;

public class SourceHealthCheckTests
{
    [Fact]
    public async Task Source_AnsweredEveryQuery_Healthy()
    {
        await using var host = HealthCheckHost.Create();
        host.Host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 0.4);
        await host.Host.TickAsync();

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Source("fake"));

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("source 'fake' answered all 2 queries in the tick at 2026-01-01T00:00:00.000Z", entry.Description);
        Assert.Equal(0, entry.Data["failed"]);
    }

    [Fact]
    public async Task Source_NoTickYet_Degraded()
    {
        await using var host = HealthCheckHost.Create();

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Source("fake"));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("source 'fake' not queried yet: the monitor has not completed a tick", entry.Description);
    }

    [Fact]
    public async Task Source_QueryFailedInLastTick_UnhealthyNamingQueryAndRedactedError()
    {
        var broken = Substitute.For<IMetricSource>();
        broken.Name.Returns("broken");
        broken.QueryAsync(Arg.Any<MetricQueryBatch>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new HttpRequestException("connection refused: " + SecretLeaks.Text));
        await using var host = HealthCheckHost.Create(
            o =>
            {
                o.Queries[0].Source = "broken";
                o.Queries[1].Source = "fake";
            },
            s => s.AddSingleton(broken).AddSingleton(SecretLeaks.Source));
        host.Host.Source.Set("baseline_error_rate", 0.5);
        await host.Host.TickAsync();

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Source("broken"));
        var fake = await host.CheckAsync(RollbackKitHealthChecks.Source("fake"));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith(
            "source 'broken': 1 of 1 queries failed in the tick at 2026-01-01T00:00:00.000Z: query 'canary_error_rate': query 'canary_error_rate' failed in source 'broken': HttpRequestException: connection refused: ",
            entry.Description,
            StringComparison.Ordinal);
        SecretLeaks.AssertAbsent(entry.Description!);
        SecretLeaks.AssertAbsent(string.Join(' ', entry.Data.Values));
        Assert.Contains("canary_error_rate", entry.Data.Keys.Single(k => k.StartsWith("query:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Null(entry.Exception);

        // The other source answered its query.
        Assert.Equal(HealthStatus.Healthy, fake.Status);
    }

    [Fact]
    public async Task Source_RecoversInNextTick_HealthyAgain()
    {
        await using var host = HealthCheckHost.Create();
        host.Host.Source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", FakeMetricValue.Failure("timeout talking to the source"));
        await host.Host.TickAsync();
        var failed = await host.CheckAsync(RollbackKitHealthChecks.Source("fake"));

        host.Host.Source.Set("canary_error_rate", 0.4);
        host.Host.Time.Advance(TimeSpan.FromSeconds(30));
        await host.Host.TickAsync();
        var recovered = await host.CheckAsync(RollbackKitHealthChecks.Source("fake"));

        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.Contains("query 'canary_error_rate': ", failed.Description, StringComparison.Ordinal);
        Assert.Contains("timeout talking to the source", failed.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
    }

    [Fact]
    public async Task Source_ReplicaIsNotTheLeader_HealthyNotQueriedHere()
    {
        var leadership = Substitute.For<IMonitorLeadership>();
        leadership.IsLeaderAsync(Arg.Any<CancellationToken>()).Returns(false);
        await using var host = HealthCheckHost.Create(configureServices: s => s.AddSingleton(leadership));
        await host.Host.TickAsync();

        var source = await host.CheckAsync(RollbackKitHealthChecks.Source("fake"));
        var monitor = await host.CheckAsync(RollbackKitHealthChecks.Monitor);

        Assert.Equal(HealthStatus.Healthy, source.Status);
        Assert.Equal("source 'fake' is not queried on this replica: it is not the leader", source.Description);
        Assert.Equal(HealthStatus.Healthy, monitor.Status);
        Assert.Equal(false, monitor.Data["leader"]);
        Assert.Contains("standby", monitor.Description, StringComparison.Ordinal);
    }
}
