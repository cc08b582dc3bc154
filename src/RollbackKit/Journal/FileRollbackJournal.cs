using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RollbackKit.Telemetry;

namespace RollbackKit.Journal;

/// <summary>
/// Append-only JSON Lines journal. Each entry is one line, flushed to disk (<c>fsync</c>) before <see cref="AppendAsync"/> returns.
/// On read, a line that is not a valid record (a torn write from a crash, damaged bytes, a record missing what it must carry)
/// is quarantined (copied with its line number into <c>&lt;journal&gt;.corrupt</c>, logged and counted) and every other line is kept.
/// </summary>
internal sealed class FileRollbackJournal : IRollbackJournal, IDisposable
{
    private readonly string _path;
    private readonly ILogger _logger;
    // One gate per file in this process: journals on the same file queue here instead of contending for the file lock.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> s_gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate;
    private bool _disposed;

    public FileRollbackJournal(string path, ILogger<FileRollbackJournal> logger, JournalQuarantine? quarantine = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = System.IO.Path.GetFullPath(path);
        _gate = s_gates.GetOrAdd(_path, static _ => new SemaphoreSlim(1, 1));
        _logger = logger;
        Quarantine = quarantine ?? new JournalQuarantine(logger, metrics: null);
    }

    public string Path => _path;

    /// <summary>Where lines that are not valid records are set aside and reported from.</summary>
    public JournalQuarantine Quarantine { get; }

    public async ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, JournalJson.Options);
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Opened exclusively for each record (an advisory lock on Unix), so several journals on one file, in this
            // process or in others, append whole lines after each other instead of overwriting each other.
            using var stream = Open(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            if (stream.Length > 0)
            {
                // A crash may have left a torn last line: start the next record on a fresh line so it stays readable.
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n')
                {
                    stream.Write("\n"u8);
                }
            }

            stream.Seek(0, SeekOrigin.End);
            await stream.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(_path))
        {
            return [];
        }

        byte[] content;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var reader = Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            content = new byte[reader.Length];
            await reader.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        var problems = new List<JournalLineProblem>();
        var result = Parse(content, targetId, problems);
        foreach (var problem in problems)
        {
            Quarantine.Quarantine(_path, problem.Line, problem.Content, problem.Reason);
        }

        return result;
    }

    /// <summary>
    /// Parses journal bytes into entries (of <paramref name="targetId"/> only, when given). A line that is not a valid record is
    /// left out and added to <paramref name="problems"/> with its number and the reason; nothing is written anywhere.
    /// </summary>
    internal static List<JournalEntry> Parse(ReadOnlySpan<byte> content, string? targetId, List<JournalLineProblem> problems)
    {
        var result = new List<JournalEntry>();
        var span = content;
        var lineNumber = 0;
        while (!span.IsEmpty)
        {
            lineNumber++;
            var end = span.IndexOf((byte)'\n');
            var complete = end >= 0;
            var line = complete ? span[..end] : span;
            span = complete ? span[(end + 1)..] : [];
            if (line.IsEmpty || line.IsWhiteSpace())
            {
                continue;
            }

            JournalEntry? entry = null;
            string? reason;
            try
            {
                entry = JsonSerializer.Deserialize<JournalEntry>(line, JournalJson.Options);
                reason = entry is null ? "null record" : JournalRecordValidator.Validate(entry);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not JSON, or JSON whose values a record's constructors refuse (a target without an id, ...).
                reason = (complete ? "malformed: " : "torn (incomplete last line): ") + ex.Message;
            }

            if (reason is not null)
            {
                problems.Add(new JournalLineProblem(lineNumber, reason, line.ToArray()));
                continue;
            }

            if (entry is not null && (targetId is null || string.Equals(entry.TargetId, targetId, StringComparison.Ordinal)))
            {
                result.Add(entry);
            }
        }

        return result;
    }

    /// <summary>Opens the journal, waiting briefly while another writer holds its exclusive lock.</summary>
    private FileStream Open(FileMode mode, FileAccess access, FileShare share)
    {
        var directory = System.IO.Path.GetDirectoryName(_path);
        if (mode != FileMode.Open && !string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Writers in other processes hold the exclusive lock for one line at a time: spin (yielding, never sleeping)
        // until it is free.
        var spinner = default(SpinWait);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(_path, mode, access, share);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && attempt < 100_000)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>A journal line that is not a valid record.</summary>
/// <param name="Line">The line number, from 1.</param>
/// <param name="Reason">Why it cannot be used.</param>
/// <param name="Content">The line's bytes, without the line break.</param>
internal readonly record struct JournalLineProblem(int Line, string Reason, byte[] Content);

internal static class Utf8SpanExtensions
{
    public static bool IsWhiteSpace(this ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWhiteSpace(this Span<byte> span) => ((ReadOnlySpan<byte>)span).IsWhiteSpace();
}
