using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RollbackKit.Health;
using RollbackKit.Health.Internal;
using RollbackKit.Journal;

namespace RollbackKit.Tests.Health;

public class JournalHealthCheckTests
{
    [Fact]
    public async Task Journal_DirectoryWritable_HealthyAndLeavesNothingBehind()
    {
        await using var host = HealthCheckHost.Create();
        var journal = host.Host.Services.GetRequiredService<IRollbackJournal>();
        Assert.IsType<FileRollbackJournal>(journal);
        var before = File.Exists(host.JournalPath) ? File.ReadAllBytes(host.JournalPath) : null;
        var filesBefore = Directory.GetFiles(host.Directory).Order().ToArray();

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Journal);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal($"journal directory '{host.Directory}' is writable", entry.Description);
        Assert.Equal(host.JournalPath, entry.Data["path"]);
        Assert.Equal(filesBefore, Directory.GetFiles(host.Directory).Order().ToArray());
        Assert.Equal(before, File.Exists(host.JournalPath) ? File.ReadAllBytes(host.JournalPath) : null);
    }

    [Fact]
    public async Task Journal_DirectoryIsARegularFile_UnhealthyWithPathAndOsError()
    {
        // A path under a regular file can never be created, whatever the user's permissions (tests may run as root).
        var file = Path.GetTempFileName();
        try
        {
            var journalPath = Path.Combine(file, "journal.jsonl");
            var check = new JournalHealthCheck(journalPath, nameof(FileRollbackJournal));

            var result = await check.CheckHealthAsync(new HealthCheckContext());

            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.StartsWith($"journal directory '{file}' is not writable (journal '{journalPath}'): ", result.Description, StringComparison.Ordinal);
            Assert.Equal(journalPath, result.Data["path"]);
            Assert.Equal(file, result.Data["directory"]);
            Assert.False(string.IsNullOrWhiteSpace((string)result.Data["error"]));
            Assert.Equal(0, new FileInfo(file).Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Journal_DirectoryRemovedAfterStart_Unhealthy()
    {
        await using var host = HealthCheckHost.Create();
        var journalDirectory = Path.Combine(host.Directory, "gone");
        Directory.CreateDirectory(journalDirectory);
        var check = new JournalHealthCheck(Path.Combine(journalDirectory, "journal.jsonl"), nameof(FileRollbackJournal));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        Directory.Delete(journalDirectory);
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains(journalDirectory, result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_NotAFile_HealthyNothingToCheck()
    {
        await using var host = HealthCheckHost.Create(configureServices: s => s.AddSingleton<IRollbackJournal>(new InMemoryRollbackJournal()));

        var entry = await host.CheckAsync(RollbackKitHealthChecks.Journal);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("the journal is not a file (InMemoryRollbackJournal); nothing to check", entry.Description);
    }
}
