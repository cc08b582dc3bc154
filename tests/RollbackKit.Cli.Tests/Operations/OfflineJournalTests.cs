using System.Text;
using System.Text.Json;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests.Operations;

/// <summary>
/// <c>history</c> and <c>stats</c> offline (<c>--journal</c>) on a journal real rollbacks wrote (see <see cref="RecordedJournal"/>),
/// as real processes; and on a copy with damaged lines, which is read without being changed.
/// </summary>
public sealed class OfflineJournalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task History_Journal_ListsEachRollbackWithItsCauseAndRequester()
    {
        var journal = _directory.File("journal.jsonl");
        var ids = await RecordedJournal.CopyToAsync(journal);

        var run = await OperatorCli.RunAsync("history", "--journal", journal);

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var id in ids)
        {
            Assert.Contains(id, run.Output, StringComparison.Ordinal);
        }

        var automatic = Line(run.Output, ids[0]);
        Assert.Contains(RecordedJournal.AutomaticTarget, automatic, StringComparison.Ordinal);
        Assert.Contains(RecordedJournal.TriggerName, automatic, StringComparison.Ordinal);
        Assert.Contains("RolledBack", automatic, StringComparison.Ordinal);
        var manual = Line(run.Output, ids[1]);
        Assert.Contains(RecordedJournal.ManualTarget, manual, StringComparison.Ordinal);
        Assert.Contains("Manual", manual, StringComparison.Ordinal);
        Assert.Contains(RecordedJournal.ManualRequester, manual, StringComparison.Ordinal);
        Assert.Contains(RecordedJournal.ManualReason, manual, StringComparison.Ordinal);
        Assert.Contains("2 rollback(s).", run.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task History_JsonWithTargetAndSince_PrintsTheSelectedAuditRecords()
    {
        var journal = _directory.File("journal.jsonl");
        var ids = await RecordedJournal.CopyToAsync(journal);

        var all = await OperatorCli.RunAsync("history", "--journal", journal, "--json", "--since", "30d");
        var cart = await OperatorCli.RunAsync("history", "--journal", journal, "--json", "--target", RecordedJournal.ManualTarget);
        var recent = await OperatorCli.RunAsync("history", "--journal", journal, "--json", "--since", "1d");
        var sinceTime = await OperatorCli.RunAsync("history", "--journal", journal, "--json", "--since", RecordedJournal.Start.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ"));

        Assert.True(all.ExitCode == 0, all.ToString());
        using (var document = JsonDocument.Parse(all.Output))
        {
            Assert.Equal(ids, document.RootElement.EnumerateArray().Select(static r => r.GetProperty("rollbackId").GetString()!).ToArray());
            var manual = document.RootElement[1];
            Assert.Equal("RolledBack", manual.GetProperty("state").GetString());
            Assert.Equal(RecordedJournal.ManualRequester, manual.GetProperty("requestedBy").GetString());
            Assert.Equal("Manual", manual.GetProperty("trigger").GetProperty("type").GetString());
            Assert.Equal(RecordedJournal.TriggerName, document.RootElement[0].GetProperty("trigger").GetProperty("triggerName").GetString());
        }

        Assert.True(cart.ExitCode == 0, cart.ToString());
        using (var document = JsonDocument.Parse(cart.Output))
        {
            Assert.Equal([ids[1]], document.RootElement.EnumerateArray().Select(static r => r.GetProperty("rollbackId").GetString()!).ToArray());
        }

        Assert.True(recent.ExitCode == 0, recent.ToString());
        using (var document = JsonDocument.Parse(recent.Output))
        {
            Assert.Equal(0, document.RootElement.GetArrayLength());
        }

        Assert.True(sinceTime.ExitCode == 0, sinceTime.ToString());
        using (var document = JsonDocument.Parse(sinceTime.Output))
        {
            Assert.Equal(0, document.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task Stats_Journal_CountsOutcomesCausesAndManualAgainstAutomatic()
    {
        var journal = _directory.File("journal.jsonl");
        await RecordedJournal.CopyToAsync(journal);

        var table = await OperatorCli.RunAsync("stats", "--journal", journal);
        var json = await OperatorCli.RunAsync("stats", "--journal", journal, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"Rollbacks\s+│\s+2\s", table.Output);
        Assert.Matches(@"Succeeded\s+│\s+2\s", table.Output);
        Assert.Matches(@"Success rate\s+│\s+100\.0\s?%", table.Output);
        Assert.Matches(@"Manual\s+│\s+1\s", table.Output);
        Assert.Matches(@"Automatic\s+│\s+1\s", table.Output);
        Assert.Matches(@"error-rate-high\s+│\s+1\s", table.Output);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(2, document.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(2, document.RootElement.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, document.RootElement.GetProperty("manual").GetInt32());
        Assert.Equal(1, document.RootElement.GetProperty("automatic").GetInt32());
        Assert.Equal(1, document.RootElement.GetProperty("causes").GetProperty(RecordedJournal.TriggerName).GetInt32());
        Assert.Equal(1, document.RootElement.GetProperty("causes").GetProperty("Manual").GetInt32());
    }

    [Fact]
    public async Task HistoryAndStats_JournalWithAnAttemptsReset_ReadItWithoutWarningsAndCountTheSameRollbacks()
    {
        var journal = _directory.File("journal.jsonl");
        var ids = await RecordedJournal.CopyToAsync(journal);
        await File.AppendAllTextAsync(
            journal,
            $"{{\"timestamp\":\"2026-12-03T03:10:00+00:00\",\"kind\":\"AttemptsReset\",\"targetId\":\"{RecordedJournal.AutomaticTarget}\",\"actor\":\"alice\",\"message\":\"fix 1.4.3 deployed\"}}\n");

        var history = await OperatorCli.RunAsync("history", "--journal", journal);
        var stats = await OperatorCli.RunAsync("stats", "--journal", journal, "--json");

        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Equal(string.Empty, history.Error);
        Assert.All(ids, id => Assert.Contains(id, history.Output, StringComparison.Ordinal));
        Assert.Contains("2 rollback(s).", history.Output, StringComparison.Ordinal);
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Equal(string.Empty, stats.Error);
        using var document = JsonDocument.Parse(stats.Output);
        Assert.Equal(2, document.RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task History_JournalWithCorruptLines_WarnsPerLineListsTheRollbacksAndLeavesTheFileAlone()
    {
        var journal = _directory.File("journal.jsonl");
        var ids = await RecordedJournal.CopyToAsync(journal);
        var lines = File.ReadAllLines(journal).ToList();
        lines.Insert(1, "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"kind\":\"Transition\",\"targetId\":\"shop/checkout\"  garbage");
        File.WriteAllText(journal, string.Join('\n', lines) + "\n{\"timestamp\":\"2026-01-01T00:00:0", new UTF8Encoding(false));
        var before = File.ReadAllBytes(journal);
        var lastLine = lines.Count + 1;

        var history = await OperatorCli.RunAsync("history", "--journal", journal);
        var stats = await OperatorCli.RunAsync("stats", "--journal", journal, "--json");

        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Contains($"line 2 skipped: malformed:", history.Error, StringComparison.Ordinal);
        Assert.Contains($"line {lastLine} skipped: torn (incomplete last line):", history.Error, StringComparison.Ordinal);
        Assert.Contains("2 journal line(s) skipped", history.Error, StringComparison.Ordinal);
        foreach (var id in ids)
        {
            Assert.Contains(id, history.Output, StringComparison.Ordinal);
        }

        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains("line 2 skipped", stats.Error, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(stats.Output))
        {
            Assert.Equal(2, document.RootElement.GetProperty("total").GetInt32());
        }

        Assert.Equal(before, File.ReadAllBytes(journal));
        Assert.False(File.Exists(journal + ".corrupt"), "a .corrupt file was written");
        Assert.Equal(["journal.jsonl"], Directory.GetFiles(_directory.Path).Select(static f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public async Task History_MissingJournalOrBadSince_Exits2NamingTheOption()
    {
        var missing = _directory.File("nope.jsonl");
        var journal = _directory.File("journal.jsonl", string.Empty);

        var notFound = await OperatorCli.RunAsync("history", "--journal", missing);
        var badSince = await OperatorCli.RunAsync("stats", "--journal", journal, "--since", "last week");
        var nowhere = await OperatorCli.RunAsync("history");
        var empty = await OperatorCli.RunAsync("history", "--journal", journal);

        Assert.True(notFound.ExitCode == 2, notFound.ToString());
        Assert.Contains($"--journal: '{missing}' does not exist.", notFound.Error, StringComparison.Ordinal);
        Assert.True(badSince.ExitCode == 2, badSince.ToString());
        Assert.Contains("--since: 'last week' is neither a positive duration", badSince.Error, StringComparison.Ordinal);
        Assert.True(nowhere.ExitCode == 2, nowhere.ToString());
        Assert.Contains("no server and no journal: pass --server <url>, set ROLLBACKKIT_SERVER, or pass --journal <path>.", nowhere.Error, StringComparison.Ordinal);
        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Contains("No rollbacks in this range.", empty.Output, StringComparison.Ordinal);
    }

    private static string Line(string output, string contains) =>
        output.Split('\n').Single(line => line.Contains(contains, StringComparison.Ordinal));
}
