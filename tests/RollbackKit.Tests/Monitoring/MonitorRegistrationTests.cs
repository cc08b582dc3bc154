using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Monitoring;

public class MonitorRegistrationTests
{
    [Fact]
    public async Task AddRollbackKit_ValidateOnBuild_ResolvesMonitorAndProbeWithoutCycle()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IMetricSource>(new FakeMetricSource());
        services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        services.AddRollbackKit(TestConfigs.ErrorRate);

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<IRollbackMonitor>());
        Assert.IsType<TargetHealthProbe>(provider.GetRequiredService<ITargetHealthProbe>());
    }

    [Fact]
    public async Task MonitorOptions_FromCodeConfiguration_TakesTheRollbackKitSettings()
    {
        var services = new ServiceCollection();
        services.AddRollbackKit(o =>
        {
            o.EvaluationInterval = TimeSpan.FromSeconds(3);
            o.MonitorEnabled = false;
        });
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MonitorOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(3), options.EvaluationInterval);
        Assert.False(options.MonitorEnabled);
    }

    [Fact]
    public async Task MonitorOptions_FromConfiguration_BindsTheSameKeys()
    {
        var json = """{ "RollbackKit": { "EvaluationInterval": "00:00:42", "MonitorEnabled": false } }""";
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddRollbackKit();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MonitorOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(42), options.EvaluationInterval);
        Assert.False(options.MonitorEnabled);
    }

    [Fact]
    public async Task HostedMonitor_FakeClock_TicksOncePerEvaluationInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var queried = new SemaphoreSlim(0);
        var source = new SignallingSource(new FakeMetricSource(time), queried);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IMetricSource>(source);
        services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        services.AddRollbackKit(TestConfigs.ErrorRate);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var hosted = provider.GetServices<IHostedService>().OfType<RollbackKit.Hosting.RollbackMonitorHostedService>().Single();

        await hosted.StartAsync(CancellationToken.None);
        try
        {
            // The first tick runs at start (two queries), the next ones each time the 30 s interval passes.
            await WaitForQueries(queried, 2);
            time.Advance(TimeSpan.FromSeconds(29));
            Assert.False(await queried.WaitAsync(TimeSpan.FromMilliseconds(100)));
            time.Advance(TimeSpan.FromSeconds(1));
            await WaitForQueries(queried, 2);
            time.Advance(TimeSpan.FromSeconds(30));
            await WaitForQueries(queried, 2);
            Assert.Equal(6, source.Count);
        }
        finally
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitForQueries(SemaphoreSlim queried, int count)
    {
        for (var i = 0; i < count; i++)
        {
            // A guard against a hang only; the clock that drives the monitor is fake.
            Assert.True(await queried.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    private sealed class SignallingSource(FakeMetricSource inner, SemaphoreSlim queried) : IMetricSource
    {
        private int _count;

        public string Name => inner.Name;

        public int Count => Volatile.Read(ref _count);

        public async ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
        {
            await inner.QueryAsync(batch, cancellationToken);
            Interlocked.Increment(ref _count);
            queried.Release();
        }
    }
}
