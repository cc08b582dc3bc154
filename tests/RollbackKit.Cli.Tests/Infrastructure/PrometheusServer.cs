using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RollbackKit.Cli.Tests.Infrastructure;

/// <summary>
/// The real Prometheus (Debian package) on a free loopback port, serving blocks written by
/// <c>promtool tsdb create-blocks-from openmetrics</c>.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private const string PromtoolBinary = "/usr/bin/promtool";
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _root;

    private PrometheusServer(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public Uri BaseAddress { get; }

    public static async Task<PrometheusServer> StartAsync(string openMetrics)
    {
        foreach (var binary in new[] { PrometheusBinary, PromtoolBinary })
        {
            if (!File.Exists(binary))
            {
                throw new InvalidOperationException($"{binary} is missing: run `bash eng/install-test-deps.sh` (Debian package prometheus).");
            }
        }

        var root = Path.Combine(Path.GetTempPath(), "rbk-cli-prom-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var input = Path.Combine(root, "incident.om");
        await File.WriteAllTextAsync(input, openMetrics);
        await RunToEndAsync(PromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", input, data);
        await File.WriteAllTextAsync(Path.Combine(root, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");

        var port = FreePort();
        var info = new ProcessStartInfo(PrometheusBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--config.file=" + Path.Combine(root, "prometheus.yml"));
        info.ArgumentList.Add("--storage.tsdb.path=" + data);
        info.ArgumentList.Add("--storage.tsdb.retention.time=3650d");
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        info.ArgumentList.Add("--log.level=warn");
        var server = new PrometheusServer(Process.Start(info)!, root, port);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>A loopback port nothing listens on (taken and released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("prometheus exited:\n" + Log());
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "-/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            // Polling a real process for readiness: bounded by the deadline above, not a synchronisation sleep.
            await Task.Delay(100);
        }

        throw new InvalidOperationException("prometheus did not become ready within 60s:\n" + Log());
    }

    private static async Task RunToEndAsync(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
