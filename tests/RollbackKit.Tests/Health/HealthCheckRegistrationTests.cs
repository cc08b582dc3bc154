using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RollbackKit.Health;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Health;

public class HealthCheckRegistrationTests
{
    [Fact]
    public async Task AddHealthChecks_RegistersNamedChecksWithTags_OnePerSource()
    {
        var second = new FakeMetricSource(name: "second");
        await using var host = HealthCheckHost.Create(
            o => o.Queries.ForEach(q => q.Source = "fake"),
            s => s.AddSingleton<RollbackKit.Metrics.IMetricSource>(second));

        var registrations = host.Host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .ToDictionary(r => r.Name, r => r.Tags.Order().ToArray());

        Assert.Equal(
            ["rollbackkit-journal", "rollbackkit-monitor", "rollbackkit-source:fake", "rollbackkit-source:second"],
            registrations.Keys.Order());
        Assert.Equal(["live", "ready", "rollbackkit"], registrations[RollbackKitHealthChecks.Monitor]);
        Assert.Equal(["ready", "rollbackkit"], registrations[RollbackKitHealthChecks.Journal]);
        Assert.Equal(["rollbackkit"], registrations["rollbackkit-source:fake"]);
    }

    [Fact]
    public async Task AddHealthChecks_CalledTwice_RegistersEachCheckOnce()
    {
        await using var host = HealthCheckHost.Create(configureServices: s => s.AddRollbackKit().AddHealthChecks().AddHealthChecks());

        var report = await host.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(RollbackKitHealthChecks.Tag));

        Assert.Equal(3, report.Entries.Count);
    }

    [Fact]
    public void AddHealthChecks_InvalidSettings_FailAtStartNamingTheSettingAndValue()
    {
        var error = Assert.Throws<OptionsValidationException>(() => HealthCheckHost.Create(healthChecks: o =>
        {
            o.MonitorLateAfterIntervals = 0;
            o.LeadershipTimeout = TimeSpan.Zero;
        }));

        Assert.Contains("RollbackKitHealthCheckOptions:MonitorLateAfterIntervals: must be at least 1 (was 0).", error.Failures);
        Assert.Contains("RollbackKitHealthCheckOptions:LeadershipTimeout: must be greater than zero (was 00:00:00).", error.Failures);
    }
}
