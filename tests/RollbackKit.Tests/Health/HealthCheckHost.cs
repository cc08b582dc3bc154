using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RollbackKit.Health;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;

namespace RollbackKit.Tests.Health;

/// <summary>A fake-time test host with the RollbackKit health checks and its own journal directory.</summary>
internal sealed class HealthCheckHost : IAsyncDisposable
{
    private HealthCheckHost(RollbackKitTestHost host, string directory)
    {
        Host = host;
        Directory = directory;
    }

    public RollbackKitTestHost Host { get; }

    /// <summary>The temporary directory holding the journal.</summary>
    public string Directory { get; }

    public string JournalPath => Path.Combine(Directory, "journal.jsonl");

    public static HealthCheckHost Create(
        Action<RollbackKitOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        Action<RollbackKitHealthCheckOptions>? healthChecks = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("rollbackkit-health-").FullName;
        RollbackKitTestHost host;
        try
        {
            host = RollbackKitTestHost.Create(
                o =>
                {
                    TestConfigs.ErrorRate(o);
                    o.Workflow.JournalPath = Path.Combine(directory, "journal.jsonl");
                    o.Workflow.EvidenceDirectory = Path.Combine(directory, "evidence");
                    configure?.Invoke(o);
                },
                configureServices: s =>
                {
                    configureServices?.Invoke(s);
                    s.AddRollbackKit().AddHealthChecks(healthChecks);
                });
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }

        return new HealthCheckHost(host, directory);
    }

    /// <summary>Runs the one check named <paramref name="name"/>.</summary>
    public async Task<HealthReportEntry> CheckAsync(string name)
    {
        var report = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return Assert.Single(report.Entries, e => e.Key == name).Value;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
