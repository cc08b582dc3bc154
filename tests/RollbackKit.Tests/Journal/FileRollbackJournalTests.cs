using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Journal;

public sealed class FileRollbackJournalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-journal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private FileRollbackJournal Open() => new(Path.Combine(_dir, "sub", "journal.jsonl"), NullLogger<FileRollbackJournal>.Instance);

    private static JournalEntry Entry(string id, RollbackState state, string target = "app") => new()
    {
        Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        Kind = JournalEntryKind.Transition,
        RollbackId = id,
        TargetId = target,
        State = state,
        Message = "m",
    };

    [Fact]
    public async Task AppendAsync_RequestedWithTraceId_WrittenAsJsonAndReadBack()
    {
        using var journal = Open();
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        await journal.AppendAsync(new JournalEntry
        {
            Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
            Kind = JournalEntryKind.Requested,
            RollbackId = "rb-1",
            TargetId = "app",
            State = RollbackState.RollbackPending,
            Request = new RollbackRequest { Target = new RollbackTarget("app"), TriggerType = RollbackTriggerType.MetricTrigger, Reason = "r" },
            TraceId = traceId,
        });
        await journal.AppendAsync(Entry("rb-1", RollbackState.RollingBack));

        var lines = await File.ReadAllLinesAsync(journal.Path);
        Assert.Contains($"\"traceId\":\"{traceId}\"", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("traceId", lines[1], StringComparison.Ordinal); // only the request carries it
        var entries = await journal.ReadAsync();
        Assert.Equal(traceId, entries[0].TraceId);
        Assert.Null(entries[1].TraceId);
    }

    [Fact]
    public async Task AppendAsync_TwoJournalsOnOneFileConcurrently_KeepsEveryLine()
    {
        // Two replicas (or two hosts in one process) sharing one journal file must not overwrite each other's lines.
        using var first = Open();
        using var second = Open();
        var writes = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await (i % 2 == 0 ? first : second).AppendAsync(Entry("r" + i, RollbackState.RollingBack));
        }));

        await Task.WhenAll(writes);

        var entries = await first.ReadAsync();
        Assert.Equal(200, entries.Count);
        Assert.Equal(200, entries.Select(e => e.RollbackId).Distinct().Count());
    }

    [Fact]
    public async Task AppendAsync_ThenReopen_ReadsAllInOrder()
    {
        using (var journal = Open())
        {
            await journal.AppendAsync(Entry("r1", RollbackState.RollingBack));
            await journal.AppendAsync(Entry("r1", RollbackState.Verifying, "web"));
        }

        using var reopened = Open();
        var all = await reopened.ReadAsync();
        Assert.Equal([RollbackState.RollingBack, RollbackState.Verifying], all.Select(e => e.State!.Value));
        Assert.Single(await reopened.ReadAsync("web"));
    }

    [Fact]
    public async Task AppendAsync_RequestWithEvidenceAndNaN_RoundTrips()
    {
        using var journal = Open();
        var request = new RollbackRequest
        {
            Target = new RollbackTarget("app", new Dictionary<string, string> { ["namespace"] = "prod" }),
            TriggerType = RollbackTriggerType.MetricTrigger,
            Severity = RollbackSeverity.High,
            Reason = "error rate",
            DeduplicationKey = "k",
            Details = new Dictionary<string, string> { ["alertname"] = "HighErrors" },
            Evidence = new TriggerEvidence
            {
                TriggerName = "error-rate",
                Condition = "error_rate > 0.75",
                Values = [new MeasuredValue("error_rate", 5.2), new MeasuredValue("latency", double.NaN)],
                Actual = 5.2,
                Threshold = 0.75,
            },
        };
        await journal.AppendAsync(new JournalEntry { Kind = JournalEntryKind.Requested, RollbackId = "r", TargetId = "app", Request = request });
        var read = Assert.Single(await journal.ReadAsync()).Request!;
        Assert.Equal("prod", read.Target.GetLabel("namespace"));
        Assert.Equal(RollbackSeverity.High, read.Severity);
        Assert.Equal("HighErrors", read.Details["alertname"]);
        Assert.Equal(5.2, read.Evidence!.Values[0].Value);
        Assert.True(double.IsNaN(read.Evidence.Values[1].Value));
    }

    [Fact]
    public async Task ReadAsync_TornLastLine_SkippedAndLaterAppendsReadable()
    {
        var path = Path.Combine(_dir, "sub", "journal.jsonl");
        using (var journal = Open())
        {
            await journal.AppendAsync(Entry("r1", RollbackState.RollingBack));
            await journal.AppendAsync(Entry("r1", RollbackState.Verifying));
        }

        var full = await File.ReadAllTextAsync(path);
        var lastLineStart = full.LastIndexOf('\n', full.Length - 2) + 1;
        await File.WriteAllTextAsync(path, full[..(lastLineStart + 20)]); // crash in the middle of the second record

        using var reopened = Open();
        var survivors = await reopened.ReadAsync();
        Assert.Equal(RollbackState.RollingBack, Assert.Single(survivors).State);

        await reopened.AppendAsync(Entry("r1", RollbackState.RolledBack));
        var after = await reopened.ReadAsync();
        Assert.Equal([RollbackState.RollingBack, RollbackState.RolledBack], after.Select(e => e.State!.Value));
    }

    [Fact]
    public async Task ReadAsync_MalformedMiddleLine_SkippedOthersKept()
    {
        var path = Path.Combine(_dir, "sub", "journal.jsonl");
        using (var journal = Open())
        {
            await journal.AppendAsync(Entry("r1", RollbackState.RollingBack));
        }

        await File.AppendAllTextAsync(path, "not json\n");
        using (var journal = Open())
        {
            await journal.AppendAsync(Entry("r1", RollbackState.RolledBack));
        }

        using var reopened = Open();
        Assert.Equal(2, (await reopened.ReadAsync()).Count);
    }

    [Fact]
    public async Task ReadAsync_MissingFile_Empty()
    {
        using var journal = Open();
        Assert.Empty(await journal.ReadAsync());
    }
}
