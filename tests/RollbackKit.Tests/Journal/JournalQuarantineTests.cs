using System.Text;
using System.Diagnostics.Metrics;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Journal;

namespace RollbackKit.Tests.Journal;

public sealed class JournalQuarantineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-quarantine-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string NewPath() => Path.Combine(_dir, Guid.NewGuid().ToString("N"), "journal.jsonl");

    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static string RequestedLine(string id) =>
        $"{{\"timestamp\":\"2026-11-25T12:00:00+00:00\",\"kind\":\"Requested\",\"rollbackId\":\"{id}\",\"targetId\":\"app\",\"state\":\"RollbackPending\",\"request\":{{\"target\":{{\"id\":\"app\"}},\"triggerType\":\"MetricTrigger\",\"reason\":\"r\"}}}}";

    private static string TransitionLine(string id, string state) =>
        $"{{\"timestamp\":\"2026-11-25T12:00:01+00:00\",\"kind\":\"Transition\",\"rollbackId\":\"{id}\",\"targetId\":\"app\",\"state\":\"{state}\"}}";

    [Fact]
    public async Task ReadAsync_RequestedWithoutTargetId_QuarantinedWithLineNumberOthersKept()
    {
        var path = NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bad = RequestedLine("b").Replace("\"target\":{\"id\":\"app\"}", "\"target\":{}", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(path, [RequestedLine("a"), bad, "not json at all", TransitionLine("a", "RollingBack")]);
        var quarantine = new JournalQuarantine(NullLogger.Instance, metrics: null);
        var journal = new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance, quarantine);

        var entries = await journal.ReadAsync();

        Assert.Equal(["a", "a"], entries.Select(e => e.RollbackId));
        var corrupt = await File.ReadAllLinesAsync(path + ".corrupt");
        Assert.Equal(2, corrupt.Length);
        Assert.Contains("\"line\":2", corrupt[0], StringComparison.Ordinal);
        Assert.Contains("target", corrupt[0], StringComparison.Ordinal);
        Assert.Contains("\"line\":3", corrupt[1], StringComparison.Ordinal);
        Assert.Contains("not json at all", corrupt[1], StringComparison.Ordinal);
        Assert.Equal([2, 3], quarantine.DrainNew().Select(q => q.Line));

        // Read again: the same lines are not quarantined twice.
        await journal.ReadAsync();
        Assert.Equal(2, (await File.ReadAllLinesAsync(path + ".corrupt")).Length);
        Assert.Empty(quarantine.DrainNew());
    }

    [Fact]
    public async Task ReadAsync_BadLines_CountedOnceInMetric()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var quarantined = new MetricCollector<long>(factory, "RollbackKit", "rollbackkit.journal.quarantined");
        var path = NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllLinesAsync(path, [RequestedLine("a"), "{", "[1,2]"]);
        var journal = new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance, new JournalQuarantine(NullLogger.Instance, new RollbackKit.Telemetry.RollbackKitMetrics(factory)));

        await journal.ReadAsync();
        await journal.ReadAsync();

        Assert.Equal(2, quarantined.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void FindUnfinished_RequestedLineLost_LaterLinesBecomeIncomplete()
    {
        var entries = new List<JournalEntry>
        {
            new() { Timestamp = At, Kind = JournalEntryKind.Transition, RollbackId = "lost", TargetId = "app", State = RollbackState.RollingBack },
            new() { Timestamp = At, Kind = JournalEntryKind.Transition, RollbackId = "done", TargetId = "app", State = RollbackState.RollingBack },
            new() { Timestamp = At, Kind = JournalEntryKind.Completed, RollbackId = "done", TargetId = "app", State = RollbackState.RolledBack },
        };

        var unfinished = JournalReplay.FindUnfinished(entries);

        var lost = Assert.Single(unfinished);
        Assert.Equal("lost", lost.RollbackId);
        Assert.Equal("app", lost.Request.Target.Id);
        Assert.NotNull(lost.Incomplete);
    }

    /// <summary>A valid journal: several rollbacks with transitions, steps and completions.</summary>
    private static readonly Gen<string[]> ValidJournal = Gen.Int[1, 6].Select(count =>
    {
        var lines = new List<string>();
        for (var i = 0; i < count; i++)
        {
            lines.Add(RequestedLine("r" + i));
            lines.Add(TransitionLine("r" + i, "RollingBack"));
            lines.Add($"{{\"timestamp\":\"2026-11-25T12:00:02+00:00\",\"kind\":\"StepCompleted\",\"rollbackId\":\"r{i}\",\"targetId\":\"app\",\"step\":{{\"index\":0,\"name\":\"undo\",\"type\":\"command\",\"succeeded\":true}}}}");
        }

        return lines.ToArray();
    });

    private enum Mutation
    {
        Truncate,
        FlipByte,
        InsertGarbage,
        DeleteField,
    }

    private static readonly string[] Fields = ["\"kind\":", "\"targetId\":", "\"rollbackId\":", "\"request\":", "\"target\":", "\"id\":", "\"step\":", "\"state\":"];

    private static readonly Gen<(string[] Lines, (Mutation Kind, int Line, int Position, byte Value)[] Mutations)> Corrupted =
        ValidJournal.SelectMany(lines => Gen.Select(Gen.Enum<Mutation>(), Gen.Int[0, lines.Length - 1], Gen.Int[0, 400], Gen.Byte).Array[1, 4].Select(m => (lines, m)));

    [Fact]
    public void ReadAsync_RandomCorruption_NeverThrowsAndKeepsEveryIntactLine()
    {
        Corrupted.Sample(sample =>
        {
            var (lines, mutations) = sample;
            var bytes = lines.Select(l => Encoding.UTF8.GetBytes(l)).ToArray();
            var touched = new HashSet<int>();
            var inserted = new List<(int Before, byte[] Garbage)>();
            var truncateAt = -1;
            foreach (var (kind, line, position, value) in mutations)
            {
                switch (kind)
                {
                    case Mutation.Truncate:
                        truncateAt = truncateAt < 0 ? line : Math.Min(truncateAt, line);
                        break;
                    case Mutation.FlipByte:
                        bytes[line][position % bytes[line].Length] ^= (byte)(value | 1);
                        touched.Add(line);
                        break;
                    case Mutation.InsertGarbage:
                        inserted.Add((line, [(byte)'{', value, (byte)'x', (byte)'"']));
                        break;
                    case Mutation.DeleteField:
                        var text = Encoding.UTF8.GetString(bytes[line]);
                        var field = Fields[position % Fields.Length];
                        var at = text.IndexOf(field, StringComparison.Ordinal);
                        if (at >= 0)
                        {
                            var end = text.IndexOf(',', at);
                            bytes[line] = Encoding.UTF8.GetBytes(end < 0 ? text[..at] : text[..at] + text[(end + 1)..]);
                            touched.Add(line);
                        }

                        break;
                }
            }

            var file = new MemoryStream();
            var intact = new List<string>();
            for (var i = 0; i < bytes.Length; i++)
            {
                foreach (var (_, garbage) in inserted.Where(g => g.Before == i))
                {
                    file.Write(garbage);
                    file.WriteByte((byte)'\n');
                }

                if (i == truncateAt)
                {
                    file.Write(bytes[i].AsSpan(0, bytes[i].Length / 2));
                    touched.Add(i);
                    break;
                }

                file.Write(bytes[i]);
                file.WriteByte((byte)'\n');
                if (!touched.Contains(i))
                {
                    intact.Add(lines[i]);
                }
            }

            var path = NewPath();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.ToArray());
            var journal = new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance, new JournalQuarantine(NullLogger.Instance, metrics: null));

            var entries = journal.ReadAsync().AsTask().GetAwaiter().GetResult();
            _ = JournalReplay.Replay(entries, At, TimeSpan.FromHours(1));

            // Every intact line is read back (a mutated line may still be valid, so entries may hold more).
            var read = entries.Select(e => System.Text.Json.JsonSerializer.Serialize(e, JournalJson.Options)).ToList();
            foreach (var line in intact)
            {
                var expected = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonSerializer.Deserialize<JournalEntry>(line, JournalJson.Options), JournalJson.Options);
                Assert.Contains(expected, read);
            }
        }, iter: 300);
    }
}
