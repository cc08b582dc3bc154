using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using MimeKit;

namespace RollbackKit.Email.Tests.Infrastructure;

/// <summary>One message the SMTP server accepted: the parsed message and its envelope.</summary>
internal sealed record DeliveredMail(MimeMessage Message, string MailFrom, IReadOnlyList<string> RcptTos, string? Login)
{
    public string Text => Message.TextBody ?? string.Empty;

    public string Html => Message.HtmlBody ?? string.Empty;
}

/// <summary>
/// Runs <c>smtp_sink.py</c>, a real aiosmtpd SMTP server on a free loopback port, and hands each delivered message to
/// the test as it is saved (the server announces it on its standard output: a real event, no polling).
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly Channel<DeliveredMail> _delivered = Channel.CreateUnbounded<DeliveredMail>();
    private readonly List<DeliveredMail> _all = [];
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SmtpSink(Process process, string directory)
    {
        _process = process;
        Directory = directory;
    }

    /// <summary>The Debian interpreter that has <c>aiosmtpd</c> (a <c>python3</c> earlier on PATH may not).</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public int Port { get; private set; }

    public string Directory { get; }

    /// <summary>Every message delivered so far, in order.</summary>
    public IReadOnlyList<DeliveredMail> Delivered
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public static async Task<SmtpSink> StartAsync(string? user = null, string? password = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("rollbackkit-smtp-").FullName;
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Infrastructure", "smtp_sink.py"));
        start.ArgumentList.Add(directory);
        if (user is not null)
        {
            start.ArgumentList.Add(user);
            start.ArgumentList.Add(password!);
        }

        var process = Process.Start(start)!;
        var sink = new SmtpSink(process, directory);
        process.OutputDataReceived += (_, e) => sink.OnLine(e.Data);
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        sink.Port = await sink._port.Task.WaitAsync(WaitLimit);
        return sink;
    }

    /// <summary>The next delivered message (bounded in real time so a missing mail fails instead of hanging).</summary>
    public async Task<DeliveredMail> NextAsync()
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        return await _delivered.Reader.ReadAsync(limit.Token);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _port.TrySetException(new InvalidOperationException("smtp_sink.py exited (is python3-aiosmtpd installed? run eng/install-test-deps.sh)"));
            return;
        }

        if (line.StartsWith("port ", StringComparison.Ordinal))
        {
            _port.TrySetResult(int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (line.StartsWith("delivered ", StringComparison.Ordinal))
        {
            var name = line[10..];
            var envelope = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json"))).RootElement;
            var mail = new DeliveredMail(
                MimeMessage.Load(Path.Combine(Directory, name + ".eml")),
                envelope.GetProperty("mail_from").GetString()!,
                envelope.GetProperty("rcpt_tos").EnumerateArray().Select(static r => r.GetString()!).ToArray(),
                envelope.GetProperty("login").GetString());
            lock (_all)
            {
                _all.Add(mail);
            }

            _delivered.Writer.TryWrite(mail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var limit = new CancellationTokenSource(WaitLimit);
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
