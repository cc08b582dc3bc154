namespace RollbackKit.Journal;

/// <summary>
/// Reads a journal file for inspection (an operator's command line, a report) without changing anything: unlike the
/// journal a running host uses, a line that is not a valid record is only reported in
/// <see cref="RollbackJournalSnapshot.Problems"/>; the file is not modified and no <c>.corrupt</c> file is written.
/// </summary>
public static class RollbackJournalFile
{
    /// <summary>Reads the journal at <paramref name="path"/> as it is now, sharing it with any process appending to it.</summary>
    /// <param name="path">The journal file (JSON Lines), as configured in <c>RollbackKit:Workflow:JournalPath</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The valid entries, the lines that are not, and the history over the valid entries.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async ValueTask<RollbackJournalSnapshot> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        byte[] content;
        using (var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        }

        var problems = new List<JournalLineProblem>();
        var entries = FileRollbackJournal.Parse(content, targetId: null, problems);
        var reported = new RollbackJournalLineProblem[problems.Count];
        for (var i = 0; i < problems.Count; i++)
        {
            reported[i] = new RollbackJournalLineProblem(problems[i].Line, problems[i].Reason);
        }

        return new RollbackJournalSnapshot(fullPath, entries, reported);
    }
}

/// <summary>A journal file as read by <see cref="RollbackJournalFile.ReadAsync"/>.</summary>
public sealed class RollbackJournalSnapshot
{
    internal RollbackJournalSnapshot(string path, IReadOnlyList<JournalEntry> entries, IReadOnlyList<RollbackJournalLineProblem> problems)
    {
        Path = path;
        Entries = entries;
        Problems = problems;
        History = new RollbackHistory(new SnapshotJournal(entries));
    }

    /// <summary>The full path of the file read.</summary>
    public string Path { get; }

    /// <summary>The valid entries, in the order written.</summary>
    public IReadOnlyList<JournalEntry> Entries { get; }

    /// <summary>The lines left out because they are not valid records, in file order; empty when every line is valid.</summary>
    public IReadOnlyList<RollbackJournalLineProblem> Problems { get; }

    /// <summary>Rollbacks and statistics over <see cref="Entries"/>, computed as a running host computes them.</summary>
    public IRollbackHistory History { get; }

    /// <summary>A read-only journal over entries already read.</summary>
    private sealed class SnapshotJournal(IReadOnlyList<JournalEntry> entries) : IRollbackJournal
    {
        public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("A journal snapshot is read-only.");

        public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default)
        {
            if (targetId is null)
            {
                return ValueTask.FromResult(entries);
            }

            var selected = new List<JournalEntry>();
            foreach (var entry in entries)
            {
                if (string.Equals(entry.TargetId, targetId, StringComparison.Ordinal))
                {
                    selected.Add(entry);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<JournalEntry>>(selected);
        }
    }
}

/// <summary>A journal line that is not a valid record (a torn write, damaged bytes, a record missing what it must carry).</summary>
public sealed class RollbackJournalLineProblem
{
    /// <summary>Creates a problem report.</summary>
    /// <param name="line">The line number, from 1.</param>
    /// <param name="reason">Why the line cannot be used.</param>
    public RollbackJournalLineProblem(int line, string reason)
    {
        Line = line;
        Reason = reason;
    }

    /// <summary>The line number in the file, from 1.</summary>
    public int Line { get; }

    /// <summary>Why the line cannot be used, for example <c>malformed: …</c> or <c>targetId is missing</c>.</summary>
    public string Reason { get; }
}
