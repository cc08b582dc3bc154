using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Journal;

namespace RollbackKit.Tests.Operations;

public sealed class RollbackStatisticsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rollbackkit-stats-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Statistics_P95AndManualVersusAutomatic_ComputedFromTheJournal()
    {
        using var services = new ServiceCollection()
            .AddRollbackKit(o => o.Workflow.JournalPath = Path.Combine(_dir, "journal.jsonl"))
            .Services.BuildServiceProvider();
        var journal = services.GetRequiredService<IRollbackJournal>();

        // 20 rolled-back runs: run i detected i s after its condition first failed and verified 10·i s after detection.
        for (var i = 1; i <= 20; i++)
        {
            var detected = T0.AddMinutes(i);
            var manual = i % 4 == 0;
            await journal.AppendAsync(new JournalEntry
            {
                Timestamp = detected,
                Kind = JournalEntryKind.Completed,
                RollbackId = "rb-" + i,
                TargetId = "shop/checkout",
                Audit = new RollbackAuditRecord
                {
                    RollbackId = "rb-" + i,
                    TargetId = "shop/checkout",
                    State = RollbackState.RolledBack,
                    Trigger = new TriggerRecord
                    {
                        Type = manual ? RollbackTriggerType.Manual : RollbackTriggerType.MetricTrigger,
                        TriggerName = manual ? null : "error-rate",
                        FirstFailedAt = manual ? null : detected.AddSeconds(-i),
                        DetectedAt = detected,
                        RequestedAt = detected,
                    },
                    Execution = new ExecutionRecord { CompletedAt = detected.AddSeconds(10 * i) },
                    Verification = new VerificationRecord(),
                },
            });
        }

        var stats = await services.GetRequiredService<IRollbackHistory>().GetStatisticsAsync();

        Assert.Equal(20, stats.Total);
        Assert.Equal(5, stats.Manual);
        Assert.Equal(15, stats.Automatic);

        // Nearest rank: the 19th of 20 rollback times (190 s); the 15th of the 15 detect times (19 s, run 19).
        Assert.Equal(TimeSpan.FromSeconds(190), stats.P95TimeToRollback);
        Assert.Equal(TimeSpan.FromSeconds(19), stats.P95TimeToDetect);
        Assert.Equal(TimeSpan.FromSeconds(105), stats.MeanTimeToRollback);
    }

    [Fact]
    public async Task Statistics_NoRollbacks_P95IsNull()
    {
        using var services = new ServiceCollection()
            .AddRollbackKit(o => o.Workflow.JournalPath = Path.Combine(_dir, "empty.jsonl"))
            .Services.BuildServiceProvider();
        var stats = await services.GetRequiredService<IRollbackHistory>().GetStatisticsAsync();
        Assert.Null(stats.P95TimeToDetect);
        Assert.Null(stats.P95TimeToRollback);
        Assert.Equal(0, stats.Manual + stats.Automatic);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
