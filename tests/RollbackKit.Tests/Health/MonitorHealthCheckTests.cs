using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RollbackKit.Health;

namespace RollbackKit.Tests.Health;

public class MonitorHealthCheckTests
{
    [Fact]
    public async Task Monitor_TickedWithinInterval_HealthyWithLastTickAndInterval()
    {
        await using var host = HealthCheckHost.Create();
        await host.Host.RunAsync(TimeSpan.FromMinutes(1));
        host.Host.Time.Advance(TimeSpan.FromSeconds(20));

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Monitor);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("2026-01-01T00:01:00.000Z", entry.Data["lastTick"]);
        Assert.Equal("30s", entry.Data["interval"]);
        Assert.Equal("90s", entry.Data["lateAfter"]);
        Assert.Equal("20s", entry.Data["sinceLastTick"]);
        Assert.Contains("last tick completed at 2026-01-01T00:01:00.000Z", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_NoTickForMoreThanThreeIntervals_Unhealthy()
    {
        await using var host = HealthCheckHost.Create();
        await host.Host.RunAsync(TimeSpan.FromMinutes(1));

        host.Host.Time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(HealthStatus.Healthy, (await host.CheckAsync(RollbackKitHealthChecks.Monitor)).Status);

        host.Host.Time.Advance(TimeSpan.FromSeconds(1));
        var entry = await host.CheckAsync(RollbackKitHealthChecks.Monitor);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(
            "monitor is late: last tick completed at 2026-01-01T00:01:00.000Z, 91s ago; it ticks every 30s and is late after 3 intervals (90s)",
            entry.Description);

        // The next tick makes it healthy again.
        await host.Host.TickAsync();
        Assert.Equal(HealthStatus.Healthy, (await host.CheckAsync(RollbackKitHealthChecks.Monitor)).Status);
    }

    [Fact]
    public async Task Monitor_LateAfterIntervalsConfigured_UsesTheConfiguredMultiple()
    {
        await using var host = HealthCheckHost.Create(healthChecks: o => o.MonitorLateAfterIntervals = 5);
        await host.Host.TickAsync();

        host.Host.Time.Advance(TimeSpan.FromSeconds(150));
        Assert.Equal(HealthStatus.Healthy, (await host.CheckAsync(RollbackKitHealthChecks.Monitor)).Status);

        host.Host.Time.Advance(TimeSpan.FromSeconds(1));
        var entry = await host.CheckAsync(RollbackKitHealthChecks.Monitor);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("150s", entry.Data["lateAfter"]);
    }

    [Fact]
    public async Task Monitor_NeverStartedNorTicked_Unhealthy()
    {
        await using var host = HealthCheckHost.Create();

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Monitor);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("monitor has not started", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_Disabled_HealthySayingMonitorDisabled()
    {
        await using var host = HealthCheckHost.Create(o => o.MonitorEnabled = false);
        host.Host.Time.Advance(TimeSpan.FromHours(1));

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Monitor);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("monitor disabled (MonitorEnabled is false)", entry.Description);
        Assert.Equal(false, entry.Data["enabled"]);
    }

    [Fact]
    public async Task Monitor_HostedLoopRunning_HealthyThenLateWhenTicksStop()
    {
        await using var host = HealthCheckHost.Create();
        var monitor = host.Host.Services.GetServices<IHostedService>()
            .Single(s => s.GetType().Name == "RollbackMonitorHostedService");

        await monitor.StartAsync(CancellationToken.None);
        await WaitForAsync(async () => (await host.CheckAsync(RollbackKitHealthChecks.Monitor)).Data.ContainsKey("lastTick"));
        var running = await host.CheckAsync(RollbackKitHealthChecks.Monitor);
        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal("2026-01-01T00:00:00.000Z", running.Data["startedAt"]);

        await monitor.StopAsync(CancellationToken.None);
        host.Host.Time.Advance(TimeSpan.FromSeconds(91));
        Assert.Equal(HealthStatus.Unhealthy, (await host.CheckAsync(RollbackKitHealthChecks.Monitor)).Status);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        // A hang guard only: the first tick runs as soon as the loop starts.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), guard.Token);
        }
    }
}
