using RollbackKit.Journal;

namespace RollbackKit.Cli.Operations;

/// <summary>
/// A journal file read for <c>history</c> and <c>stats</c>, read-only: a line that is not a valid record is reported as a
/// warning (its number and why) and left out; the file is not modified and no <c>.corrupt</c> file is written.
/// </summary>
internal static class OfflineJournal
{
    public static async Task<RollbackJournalSnapshot> ReadAsync(FileInfo file, TextWriter warnings, CancellationToken cancellationToken)
    {
        RollbackJournalSnapshot snapshot;
        try
        {
            snapshot = await RollbackJournalFile.ReadAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.InvalidInput, $"--journal: '{file.FullName}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Unexpected, $"--journal: '{file.FullName}' cannot be read: {e.Message}");
        }

        foreach (var problem in snapshot.Problems)
        {
            await warnings.WriteLineAsync(
                $"warning: {snapshot.Path} line {problem.Line} skipped: {problem.Reason}").ConfigureAwait(false);
        }

        if (snapshot.Problems.Count > 0)
        {
            await warnings.WriteLineAsync(
                $"warning: {snapshot.Problems.Count} journal line(s) skipped; the rest is shown. The file was not changed.").ConfigureAwait(false);
        }

        return snapshot;
    }
}
