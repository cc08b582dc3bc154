using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace RollbackKit.Helm.Internal;

/// <summary>How a process run ended.</summary>
internal enum ProcessOutcome
{
    /// <summary>The process exited by itself.</summary>
    Exited = 0,

    /// <summary>The process ran past its time limit; its process tree was killed.</summary>
    TimedOut = 1,

    /// <summary>The caller cancelled; the process tree was killed.</summary>
    Cancelled = 2,
}

/// <summary>What a process run produced.</summary>
internal readonly record struct ProcessRunResult(
    ProcessOutcome Outcome,
    int ExitCode,
    string StandardOutput,
    string StandardError,
    TimeSpan Duration,
    int ProcessId)
{
    public bool Succeeded => Outcome == ProcessOutcome.Exited && ExitCode == 0;
}

/// <summary>The process could not be started (missing binary, no permission).</summary>
internal sealed class ProcessStartFailedException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// Runs a program with an argument list (never through a shell), captures stdout and stderr, and kills the whole
/// process tree when the time limit passes or the caller cancels.
/// </summary>
internal sealed class HelmProcessRunner(TimeProvider timeProvider)
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(10);

    public async Task<ProcessRunResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        int maxOutputChars,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        using var process = new Process { StartInfo = startInfo };
        var started = timeProvider.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ProcessStartFailedException($"could not start '{fileName}': {ex.Message}", ex);
        }

        var processId = process.Id;
        process.StandardInput.Close();
        var stdout = new BoundedText(maxOutputChars);
        var stderr = new BoundedText(maxOutputChars);
        var readOut = stdout.DrainAsync(process.StandardOutput);
        var readErr = stderr.DrainAsync(process.StandardError);

        var outcome = ProcessOutcome.Exited;
        using (var timeoutSource = new CancellationTokenSource(timeout, timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token))
        {
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                outcome = cancellationToken.IsCancellationRequested ? ProcessOutcome.Cancelled : ProcessOutcome.TimedOut;
                KillTree(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        try
        {
            // Output pipes close once every process holding them is gone; bound the wait in case a detached process keeps one.
            await Task.WhenAll(readOut, readErr).WaitAsync(s_drainTimeout, timeProvider, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            stderr.AppendNote("[output still open after the process ended; capture stopped]");
        }

        var duration = timeProvider.GetElapsedTime(started);
        return new ProcessRunResult(
            outcome,
            outcome == ProcessOutcome.Exited ? process.ExitCode : -1,
            stdout.ToString(),
            stderr.ToString(),
            duration,
            processId);
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting while being killed.
        }
    }

    /// <summary>Keeps the first <c>max</c> characters of a stream and drains the rest.</summary>
    private sealed class BoundedText(int max)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();
        private bool _truncated;

        public async Task DrainAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            while (true)
            {
                int read;
                try
                {
                    read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                if (read == 0)
                {
                    return;
                }

                lock (_gate)
                {
                    var room = max - _text.Length;
                    if (room > 0)
                    {
                        _text.Append(buffer, 0, Math.Min(room, read));
                    }

                    if (read > room)
                    {
                        _truncated = true;
                    }
                }
            }
        }

        public void AppendNote(string note)
        {
            lock (_gate)
            {
                if (_text.Length > 0 && _text[^1] != '\n')
                {
                    _text.Append('\n');
                }

                _text.Append(note);
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return _truncated ? _text + $"\n[truncated after {max} characters]" : _text.ToString();
            }
        }
    }
}
