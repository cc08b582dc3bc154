using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Prometheus.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class PrometheusServerGroup : ICollectionFixture<PrometheusFixture>
{
    public const string Name = "prometheus";
}

/// <summary>
/// The real Prometheus (Debian package) on a free loopback port, started once per collection. Its data dir holds
/// deterministic scenario blocks (written with <c>promtool tsdb create-blocks-from openmetrics</c>, hours in the past)
/// and it scrapes <see cref="Exporter"/> every second.
/// </summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public const string PrometheusBinary = "/usr/bin/prometheus";
    public const string PromtoolBinary = "/usr/bin/promtool";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rbk-prom-" + Guid.NewGuid().ToString("N")[..12]);
    private ExternalProcess? _process;
    private volatile string _exporterText = "app_error_ratio{deployment=\"live\"} 0.01\n";

    /// <summary>00:00 UTC of the scenario day (a day 30-54 hours in the past).</summary>
    public DateTimeOffset ScenarioDay { get; } = new(DateTime.UtcNow.AddHours(-30).Date, TimeSpan.Zero);

    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    internal LoopbackHttpServer? Exporter { get; private set; }

    public string ExporterText
    {
        get => _exporterText;
        set => _exporterText = value;
    }

    public DateTimeOffset At(int hour, int minute, int second = 0) => ScenarioDay.AddHours(hour).AddMinutes(minute).AddSeconds(second);

    public async Task InitializeAsync()
    {
        ExternalProcess.RequireBinary(PrometheusBinary);
        ExternalProcess.RequireBinary(PromtoolBinary);
        Directory.CreateDirectory(_root);
        var dataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dataDir);
        var openMetrics = Path.Combine(_root, "scenarios.om");
        await File.WriteAllTextAsync(openMetrics, ScenarioData.Build(ScenarioDay));
        await ExternalProcess.RunAsync(PromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", openMetrics, dataDir);

        Exporter = await LoopbackHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            await context.Response.WriteAsync(_exporterText);
        });
        Port = FreePort.Get();
        var config = $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: exporter
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:{Exporter.BaseAddress.Port}']
            """;
        await File.WriteAllTextAsync(Path.Combine(_root, "prometheus.yml"), config);
        await StartAsync();
    }

    public async Task StartAsync()
    {
        _process = ExternalProcess.Start(PrometheusBinary,
        [
            "--config.file=" + Path.Combine(_root, "prometheus.yml"),
            "--storage.tsdb.path=" + Path.Combine(_root, "data"),
            "--storage.tsdb.retention.time=3650d",
            $"--web.listen-address=127.0.0.1:{Port}",
            "--log.level=warn",
        ]);
        await WaitReadyAsync(_process, BaseAddress);
    }

    /// <summary>Waits up to 60 s for a started Prometheus to answer <c>/-/ready</c>; throws with its output when it exits or never does.</summary>
    internal static async Task WaitReadyAsync(ExternalProcess process, Uri baseAddress)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("prometheus exited:\n" + process.Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri(baseAddress, "-/ready"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (!ready)
        {
            throw new InvalidOperationException("prometheus did not become ready within 60s:\n" + process.Output);
        }
    }

    public void Kill() => _process?.Kill();

    public async Task DisposeAsync()
    {
        _process?.Dispose();
        if (Exporter is not null)
        {
            await Exporter.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A source talking to this Prometheus, outside DI.</summary>
    internal PrometheusMetricSource CreateSource(PrometheusInstrumentation instrumentation, Action<PrometheusOptions>? configure = null)
        => CreateSource(BaseAddress, instrumentation, configure);

    internal static PrometheusMetricSource CreateSource(Uri baseAddress, PrometheusInstrumentation instrumentation, Action<PrometheusOptions>? configure = null)
    {
        var options = new PrometheusOptions { BaseAddress = baseAddress, RetryDelay = TimeSpan.FromMilliseconds(50) };
        configure?.Invoke(options);
        var http = new HttpClient(PrometheusHttpHandler.Create(options)) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new PrometheusClient(() => http, options, TimeProvider.System, NullLogger.Instance);
        return new PrometheusMetricSource(client, Options.Create(options), TimeProvider.System, NullLogger<PrometheusMetricSource>.Instance, instrumentation);
    }
}

/// <summary>The scenario series, 09:50-10:35 of the scenario day, one sample every 15 seconds.</summary>
internal static class ScenarioData
{
    public const int StepSeconds = 15;

    /// <summary>The <c>deployment</c> values of <c>owned_probe</c>; each series' value is its index here.</summary>
    public static readonly string[] OwnedProbeDeployments =
    [
        "svc-a", "svc-b", "svc-c", "svc-d",
        "a.b", "axb", "a+b", "aab", "a\\b", "a\"b", "a|b", "a", "b", "ab",
    ];

    public static string Build(DateTimeOffset day)
    {
        var start = day.AddHours(9).AddMinutes(50);
        var end = day.AddHours(10).AddMinutes(35);
        var times = new List<DateTimeOffset>();
        for (var t = start; t <= end; t = t.AddSeconds(StepSeconds))
        {
            times.Add(t);
        }

        var text = new StringBuilder();

        // Error counters (per minute rates): spike from 10:12, steady healthy, flapping every 2 minutes from 10:10.
        text.AppendLine("# TYPE http_requests_errors counter");
        Counter(text, "http_requests_errors_total", "namespace=\"shop\",deployment=\"checkout\"", times, t => t < day.AddHours(10).AddMinutes(12) ? 0.5 : 5.2);
        Counter(text, "http_requests_errors_total", "namespace=\"shop\",deployment=\"healthy\"", times, _ => 0.5);
        Counter(text, "http_requests_errors_total", "namespace=\"shop\",deployment=\"flappy\"", times, t =>
        {
            var minutes = (t - day.AddHours(10).AddMinutes(10)).TotalMinutes;
            return minutes >= 0 && ((int)(minutes / 2)) % 2 == 0 ? 5.2 : 0.5;
        });

        // Request traffic for the stable deployment only (the canary has no traffic).
        text.AppendLine("# TYPE http_requests counter");
        Counter(text, "http_requests_total", "namespace=\"shop\",deployment=\"stable\"", times, _ => 120);

        // Payment failures: 0 until 10:15, then 1.
        text.AppendLine("# TYPE payment_failures counter");
        foreach (var t in times)
        {
            Sample(text, "payment_failures_total", "namespace=\"shop\",deployment=\"payments\"", t < day.AddHours(10).AddMinutes(15) ? 0 : 1, t);
        }

        // Memory: 45% until 10:10, 75% until 10:20, then 92% of a 1 GB limit.
        text.AppendLine("# TYPE container_memory_working_set_bytes gauge");
        foreach (var t in times)
        {
            var ratio = t < day.AddHours(10).AddMinutes(10) ? 0.45 : t < day.AddHours(10).AddMinutes(20) ? 0.75 : 0.92;
            Sample(text, "container_memory_working_set_bytes", "namespace=\"shop\",container=\"cart\"", ratio * 1e9, t);
        }

        text.AppendLine("# TYPE kube_pod_container_resource_limits gauge");
        foreach (var t in times)
        {
            Sample(text, "kube_pod_container_resource_limits", "namespace=\"shop\",container=\"cart\",resource=\"memory\"", 1e9, t);
        }

        // Two series for one deployment (an ambiguous per-target result).
        text.AppendLine("# TYPE pod_restarts gauge");
        foreach (var t in times)
        {
            Sample(text, "pod_restarts", "namespace=\"shop\",deployment=\"checkout\",pod=\"a\"", 1, t);
            Sample(text, "pod_restarts", "namespace=\"shop\",deployment=\"checkout\",pod=\"b\"", 2, t);
        }

        // One gauge per deployment (value = its position), including names with regex metacharacters and names that
        // a badly escaped regex of them would also match.
        text.AppendLine("# TYPE owned_probe gauge");
        for (var d = 0; d < OwnedProbeDeployments.Length; d++)
        {
            var labels = "namespace=\"probe\",deployment=\"" + OwnedProbeDeployments[d].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            foreach (var t in times)
            {
                Sample(text, "owned_probe", labels, d, t);
            }
        }

        text.AppendLine("# EOF");
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string labels, List<DateTimeOffset> times, Func<DateTimeOffset, double> perMinute)
    {
        var value = 0.0;
        foreach (var t in times)
        {
            Sample(text, name, labels, value, t);
            value += perMinute(t) * StepSeconds / 60.0;
        }
    }

    private static void Sample(StringBuilder text, string name, string labels, double value, DateTimeOffset time) =>
        text.Append(name).Append('{').Append(labels).Append("} ")
            .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
}
