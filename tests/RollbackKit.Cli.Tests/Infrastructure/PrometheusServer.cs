namespace RollbackKit.Cli.Tests.Infrastructure;

/// <summary>
/// The real Prometheus (Debian package) on a free loopback port, serving blocks written by
/// <c>promtool tsdb create-blocks-from openmetrics</c>.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private const string PromtoolBinary = "/usr/bin/promtool";
    private readonly ExternalProcess _process;
    private readonly string _root;

    private PrometheusServer(ExternalProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public static async Task<PrometheusServer> StartAsync(string openMetrics)
    {
        ExternalProcess.RequireBinary(PrometheusBinary);
        ExternalProcess.RequireBinary(PromtoolBinary);
        var root = Path.Combine(Path.GetTempPath(), "rbk-cli-prom-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var input = Path.Combine(root, "incident.om");
        await File.WriteAllTextAsync(input, openMetrics);
        await ExternalProcess.RunAsync(PromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", input, data);
        await File.WriteAllTextAsync(Path.Combine(root, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");

        var port = FreePort.Get();
        var process = ExternalProcess.Start(PrometheusBinary,
        [
            "--config.file=" + Path.Combine(root, "prometheus.yml"),
            "--storage.tsdb.path=" + data,
            "--storage.tsdb.retention.time=3650d",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]);
        var server = new PrometheusServer(process, root, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("prometheus exited:\n" + process.Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri(server.BaseAddress, "-/ready"));
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (!ready)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("prometheus did not become ready within 60s:\n" + process.Output);
        }

        return server;
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
