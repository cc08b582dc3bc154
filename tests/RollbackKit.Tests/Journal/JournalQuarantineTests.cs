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

    /// <summary>How a generated rollback's history ends.</summary>
    private enum Ending
    {
        Unfinished,
        RolledBack,
        Failed,
    }

    /// <summary>What is done to a generated history: nothing, or one change that keeps every line valid JSON and a valid record but
    /// makes the sequence one the workflow never writes.</summary>
    private enum Inconsistency
    {
        None,
        StepFinishedWithoutStart,
        CompletedStepStartedAgain,
        TransitionNotAllowed,
        RecordAfterEnd,
    }

    private static readonly Gen<(int Steps, bool Approval, Ending Ending, Inconsistency Change)[]> Histories =
        Gen.Select(Gen.Int[1, 3], Gen.Bool, Gen.Enum<Ending>(), Gen.Enum<Inconsistency>()).Array[1, 5];

    /// <summary>A history as the workflow writes it (a crash leaves it unfinished mid-step), then changed as asked.</summary>
    private static (List<JournalEntry> Entries, List<JournalEntry> AfterEnd, bool Inconsistent) History(string id, int steps, bool approval, Ending ending, Inconsistency change)
    {
        var entries = new List<JournalEntry> { JournalConsistencyTests.Requested(id) };
        if (approval)
        {
            entries.Add(JournalConsistencyTests.To(id, RollbackState.AwaitingApproval));
            entries.Add(new JournalEntry { Kind = JournalEntryKind.ApprovalDecided, RollbackId = id, TargetId = "app", Actor = "alice", Decision = RollbackKit.Approval.ApprovalDecision.Approved });
        }

        entries.Add(JournalConsistencyTests.To(id, RollbackState.RollingBack));
        var transition = entries.Count - 1;
        for (var i = 0; i < steps; i++)
        {
            entries.Add(JournalConsistencyTests.Started(id, i));
            entries.Add(JournalConsistencyTests.Finished(id, i));
        }

        var afterEnd = new List<JournalEntry>();
        var inconsistent = change != Inconsistency.None;
        switch (change)
        {
            case Inconsistency.StepFinishedWithoutStart:
                entries.RemoveAt(transition + 1);
                break;
            case Inconsistency.CompletedStepStartedAgain:
                entries.Add(JournalConsistencyTests.Started(id, 0));
                break;
            case Inconsistency.TransitionNotAllowed:
                entries.Insert(transition + 1, JournalConsistencyTests.To(id, RollbackState.RollbackPending));
                break;
            case Inconsistency.RecordAfterEnd when ending != Ending.Unfinished:
                afterEnd.Add(JournalConsistencyTests.Started(id, steps));
                break;
            case Inconsistency.RecordAfterEnd:
                inconsistent = false; // nothing ended: nothing can come after the end
                break;
        }

        if (ending == Ending.Unfinished)
        {
            entries.Add(JournalConsistencyTests.Started(id, steps)); // the crash came while this step ran
        }
        else
        {
            var final = ending == Ending.RolledBack ? RollbackState.RolledBack : RollbackState.RollbackFailed;
            if (ending == Ending.RolledBack)
            {
                entries.Add(JournalConsistencyTests.To(id, RollbackState.Verifying));
            }

            entries.Add(JournalConsistencyTests.To(id, final));
            entries.Add(JournalConsistencyTests.Completed(id, final));
        }

        return (entries, afterEnd, inconsistent);
    }

    [Fact]
    public void FindUnfinished_RandomInconsistentHistories_EveryUnfinishedOrDisturbedAfterItsEndReportedConsistentOnesUntouched()
    {
        Histories.Sample(histories =>
        {
            var lines = new List<JournalEntry>();
            var tail = new List<JournalEntry>();
            var expected = new Dictionary<string, bool>(StringComparer.Ordinal); // reported rollback -> whether marked incomplete
            for (var r = 0; r < histories.Length; r++)
            {
                var (steps, approval, ending, change) = histories[r];
                var id = "r" + r;
                var (entries, afterEnd, inconsistent) = History(id, steps, approval, ending, change);
                lines.AddRange(entries);
                tail.AddRange(afterEnd);
                if (ending == Ending.Unfinished)
                {
                    expected[id] = inconsistent;
                }
                else if (afterEnd.Count > 0)
                {
                    expected[id] = true;
                }
            }

            // Valid JSON, valid records: the reader keeps every line; only the replay can tell the history is wrong.
            var path = NewPath();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllLines(path, lines.Concat(tail).Select(e => System.Text.Json.JsonSerializer.Serialize(e, JournalJson.Options)));
            var quarantine = new JournalQuarantine(NullLogger.Instance, metrics: null);
            var journal = new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance, quarantine);
            var read = journal.ReadAsync().AsTask().GetAwaiter().GetResult();
            Assert.Equal(lines.Count + tail.Count, read.Count);
            Assert.Empty(quarantine.DrainNew());

            var unfinished = JournalReplay.Replay(read, At, TimeSpan.FromHours(1)).Unfinished;

            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), unfinished.Select(u => u.RollbackId).Order(StringComparer.Ordinal));
            foreach (var run in unfinished)
            {
                Assert.True(expected[run.RollbackId] == (run.Incomplete is not null), $"{run.RollbackId}: {run.Incomplete ?? "consistent"}");
            }
        }, iter: 300);
    }
}
