using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NSubstitute;
using RollbackKit.Health;
using RollbackKit.Monitoring;

namespace RollbackKit.Tests.Health;

public class LeadershipHealthCheckTests
{
    [Theory]
    [InlineData(true, "this replica is the leader: its monitor evaluates")]
    [InlineData(false, "this replica is a standby: another replica leads")]
    public async Task Leadership_Answered_HealthyWithLeaderFlag(bool leader, string description)
    {
        var leadership = Substitute.For<IMonitorLeadership>();
        leadership.IsLeaderAsync(Arg.Any<CancellationToken>()).Returns(leader);
        await using var host = HealthCheckHost.Create(configureServices: s => s.AddSingleton(leadership));

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Leadership);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(description, entry.Description);
        Assert.Equal(leader, entry.Data["leader"]);
    }

    [Fact]
    public async Task Leadership_AskingFails_UnhealthyWithRedactedError()
    {
        var leadership = Substitute.For<IMonitorLeadership>();
        leadership.IsLeaderAsync(Arg.Any<CancellationToken>())
            .Returns<ValueTask<bool>>(_ => throw new HttpRequestException("lease read failed: " + SecretLeaks.Text));
        await using var host = HealthCheckHost.Create(configureServices: s => s.AddSingleton(leadership).AddSingleton(SecretLeaks.Source));

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Leadership);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("asking ", entry.Description, StringComparison.Ordinal);
        Assert.Contains("for leadership failed: HttpRequestException: lease read failed: ", entry.Description, StringComparison.Ordinal);
        SecretLeaks.AssertAbsent(entry.Description!);
        SecretLeaks.AssertAbsent(string.Join(' ', entry.Data.Values));
        Assert.Null(entry.Exception);
    }

    [Fact]
    public async Task Leadership_NoAnswerWithinTimeout_Unhealthy()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leadership = Substitute.For<IMonitorLeadership>();
        leadership.IsLeaderAsync(Arg.Any<CancellationToken>()).Returns(call => NeverAnswerAsync(asked, call.Arg<CancellationToken>()));
        await using var host = HealthCheckHost.Create(configureServices: s => s.AddSingleton(leadership), healthChecks: o => o.LeadershipTimeout = TimeSpan.FromSeconds(2));

        var check = host.CheckAsync(RollbackKitHealthChecks.Leadership);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(check.IsCompleted);
        host.Host.Time.Advance(TimeSpan.FromSeconds(2));
        var entry = await check.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("for leadership did not answer within 2s", entry.Description, StringComparison.Ordinal);
    }

    private static async ValueTask<bool> NeverAnswerAsync(TaskCompletionSource asked, CancellationToken cancellationToken)
    {
        asked.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return true;
    }

    [Fact]
    public async Task Leadership_NoneConfigured_NoLeadershipCheck()
    {
        await using var host = HealthCheckHost.Create();

        var report = await host.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.DoesNotContain(RollbackKitHealthChecks.Leadership, report.Entries.Keys);
    }
}
