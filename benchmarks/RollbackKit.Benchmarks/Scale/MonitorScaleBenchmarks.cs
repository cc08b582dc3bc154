using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Benchmarks.Scale;

/// <summary>
/// One monitor tick over 10,000 targets × 8 triggers × 8 grouped queries against the real Prometheus (Debian package,
/// on loopback): eight instant queries answered with 10,000 series each, parsed and matched to the targets, then one
/// evaluation of 80,000 target × trigger pairs. GlobalSetup writes the series as OpenMetrics, backfills them into a
/// temporary data directory with <c>promtool tsdb create-blocks-from openmetrics</c> and starts Prometheus on it;
/// GlobalCleanup stops it and deletes the directory. The monitor's clock is a fake clock fixed just after the backfilled
/// samples, so every query reads them.
/// <para>
/// Besides the BenchmarkDotNet columns (wall time of a tick, which includes Prometheus answering the eight queries, and
/// bytes allocated by this process per tick), it prints this process's CPU time per tick (all threads, so it counts
/// parsing on the thread pool but not Prometheus) and the retained managed memory per target.
/// </para>
/// <para>
/// Run: <c>dotnet run -c Release --project benchmarks/RollbackKit.Benchmarks -- --filter '*MonitorScale*' --job short</c>.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class MonitorScaleBenchmarks
{
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private const string PromtoolBinary = "/usr/bin/promtool";

    private static readonly string[] s_queries =
    [
        "canary_error_rate", "baseline_error_rate", "canary_p99", "baseline_p99", "success_rate", "canary_rps", "baseline_rps", "memory_ratio",
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rbk-scale-" + Guid.NewGuid().ToString("N")[..12]);
    private Process? _prometheus;
    private ServiceProvider? _services;
    private IRollbackMonitor? _monitor;
    private TimeSpan _cpuStart;
    private long _ticks;

    /// <summary>Number of targets.</summary>
    [Params(10_000)]
    public int Targets { get; set; }

    /// <summary>
    /// Whether <see cref="Setup"/> ticks a full-size monitor once before measuring retained memory, so the pooled reply
    /// buffers are not counted (set <c>ROLLBACKKIT_SCALE_COLD_POOL=1</c> to measure with a cold pool, as before).
    /// </summary>
    public static bool WarmPool { get; } = Environment.GetEnvironmentVariable("ROLLBACKKIT_SCALE_COLD_POOL") != "1";

    /// <summary>Bytes of retained managed memory per target (measured in <see cref="Setup"/>).</summary>
    public double BytesPerTarget { get; private set; }

    /// <summary>The smallest of three measurements of <see cref="BytesPerTarget"/> (each a further monitor of the same size).</summary>
    public double MinBytesPerTarget { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var at = new DateTimeOffset(DateTime.UtcNow.AddHours(-6).Date.AddHours(DateTime.UtcNow.AddHours(-6).Hour), TimeSpan.Zero);
        var dataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dataDir);
        var openMetrics = Path.Combine(_root, "series.om");
        File.WriteAllText(openMetrics, Series(Targets, at));
        Run(PromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", openMetrics, dataDir);
        File.Delete(openMetrics);
        File.WriteAllText(Path.Combine(_root, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
        var port = FreePort();
        _prometheus = Start(PrometheusBinary, redirect: false,
            "--config.file=" + Path.Combine(_root, "prometheus.yml"),
            "--storage.tsdb.path=" + dataDir,
            "--storage.tsdb.retention.time=3650d",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn");
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        WaitReady(baseAddress);

        var clock = new FakeTimeProvider(at.AddSeconds(10));

        // Warm everything up with a one-target monitor first (JIT, static caches, HTTP connection pool types), so the
        // memory measured below is what the 10,000 targets add.
        using (var warm = Build(1, baseAddress, clock))
        {
            var result = warm.GetRequiredService<IRollbackMonitor>().TickAsync().AsTask().GetAwaiter().GetResult();
            Check(result, 1);
        }

        // Then one full-size monitor, ticked a few times and disposed: the reply buffers the HTTP client rents from the
        // shared ArrayPool grow by doubling to the largest reply (≈ 1.3 MB) and every size stays pooled for each query
        // that ran at the same time, several MB that vary from run to run with how the 8 queries overlapped. Warming
        // the pool first keeps that out of the difference (it does not grow with the number of targets beyond the
        // reply size).
        if (WarmPool)
        {
            using var full = Build(Targets, baseAddress, clock);
            var monitor = full.GetRequiredService<IRollbackMonitor>();
            for (var i = 0; i < 3; i++)
            {
                Check(monitor.TickAsync().AsTask().GetAwaiter().GetResult(), Targets);
            }
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        _services = Build(Targets, baseAddress, clock);
        _monitor = _services.GetRequiredService<IRollbackMonitor>();
        Check(_monitor.TickAsync().AsTask().GetAwaiter().GetResult(), Targets);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        BytesPerTarget = (after - before) / (double)Targets;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Retained managed memory ({(WarmPool ? "pool warmed" : "cold pool")}): {after - before:N0} B for {Targets:N0} targets = {BytesPerTarget:N0} B per target"));

        // Pool growth can only add to a difference, and how much varies: two more monitors of the same size, each
        // built and ticked beside the first, give two more differences; the smallest of the three is the estimate.
        var increments = new List<long> { after - before };
        var extra = new List<ServiceProvider>();
        for (var i = 0; i < 2; i++)
        {
            var start = GC.GetTotalMemory(forceFullCollection: true);
            var more = Build(Targets, baseAddress, clock);
            extra.Add(more);
            Check(more.GetRequiredService<IRollbackMonitor>().TickAsync().AsTask().GetAwaiter().GetResult(), Targets);
            increments.Add(GC.GetTotalMemory(forceFullCollection: true) - start);
        }

        foreach (var more in extra)
        {
            more.Dispose();
        }

        MinBytesPerTarget = increments.Min() / (double)Targets;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Retained managed memory per 10,000-target monitor, three in a row: {string.Join(" / ", increments.Select(b => (b / (double)Targets).ToString("N0", CultureInfo.InvariantCulture)))} B per target; smallest {MinBytesPerTarget:N0} B per target"));
        _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _ticks = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
        if (_ticks > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// CPU time of this process: {cpu.TotalMilliseconds:N0} ms over {_ticks} ticks = {cpu.TotalMilliseconds / _ticks:N2} ms per tick"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Retained managed memory per target: {BytesPerTarget:N0} B"));
        }

        _services?.Dispose();
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            _prometheus.WaitForExit();
        }

        _prometheus?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Benchmark(Description = "Monitor tick, 10,000 targets × 8 triggers × 8 grouped queries, real Prometheus")]
    public int Tick()
    {
        _ticks++;
        return _monitor!.TickAsync().AsTask().GetAwaiter().GetResult().Verdicts;
    }

    private static void Check(MonitorTickResult result, int targets)
    {
        if (result.QueryErrors != 0 || result.Verdicts != targets * 8 || result.Fired != 0)
        {
            throw new InvalidOperationException($"Unexpected tick: {result.QueryErrors} query errors, {result.Verdicts} verdicts, {result.Fired} fired.");
        }
    }

    private ServiceProvider Build(int targets, Uri prometheus, TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddRollbackKit(o =>
        {
            o.Workflow.JournalPath = Path.Combine(_root, "journal");
            o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
            for (var t = 0; t < targets; t++)
            {
                o.Targets.Add(new TargetDefinition { Id = $"shop/app-{t}", Labels = { ["namespace"] = "shop", ["name"] = $"app-{t}" } });
            }

            foreach (var name in s_queries)
            {
                o.Queries.Add(new MetricQueryDefinition { Name = name, Expression = $"rbk_scale_{name}{{namespace=\"shop\"}}", GroupBy = "deployment" });
            }

            o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "canary_error_rate > baseline_error_rate * 1.5", For = TimeSpan.FromMinutes(5) });
            o.Triggers.Add(new TriggerDefinition { Name = "p99", Condition = "canary_p99 > baseline_p99 * 2", For = TimeSpan.FromMinutes(5) });
            o.Triggers.Add(new TriggerDefinition { Name = "success", Condition = "success_rate < 0.95", For = TimeSpan.FromMinutes(3) });
            o.Triggers.Add(new TriggerDefinition { Name = "throughput", Condition = "canary_rps < baseline_rps * 0.5", For = TimeSpan.FromMinutes(10) });
            o.Triggers.Add(new TriggerDefinition { Name = "memory", Condition = "memory_ratio > 95%", For = TimeSpan.FromMinutes(5) });
            o.Triggers.Add(new TriggerDefinition { Name = "errors-high", Condition = "canary_error_rate > 0.5" });
            o.Triggers.Add(new TriggerDefinition { Name = "p99-high", Condition = "canary_p99 > 5", ConsecutiveFailureLimit = 3 });
            o.Triggers.Add(new TriggerDefinition { Name = "starved", Condition = "success_rate < 0.5 and canary_rps > 0", For = TimeSpan.FromMinutes(1) });
        })
        .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
        .AddPrometheus(p => p.BaseAddress = prometheus);
        return services.BuildServiceProvider();
    }

    /// <summary>Two samples a minute apart per target and query, the last at <paramref name="at"/>; healthy values, so nothing fires.</summary>
    private static string Series(int targets, DateTimeOffset at)
    {
        var text = new StringBuilder(targets * s_queries.Length * 260);
        var random = new Random(5);
        foreach (var name in s_queries)
        {
            text.Append("# TYPE rbk_scale_").Append(name).Append(" gauge\n");
            for (var t = 0; t < targets; t++)
            {
                var value = name switch
                {
                    "canary_error_rate" => 0.01 + (random.NextDouble() * 0.004),
                    "baseline_error_rate" => 0.012,
                    "canary_p99" => 0.3 + (random.NextDouble() * 0.1),
                    "baseline_p99" => 0.35,
                    "success_rate" => 0.99,
                    "canary_rps" => 100 + random.Next(20),
                    "baseline_rps" => 110,
                    _ => 0.5 + (random.NextDouble() * 0.2),
                };
                foreach (var time in new[] { at.AddMinutes(-1), at })
                {
                    text.Append(CultureInfo.InvariantCulture, $"rbk_scale_{name}{{namespace=\"shop\",deployment=\"app-{t}\",pod=\"app-{t}-7d9f8c6b5-x2k4p\",job=\"kubernetes-pods\"}} ")
                        .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
                        .Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        return text.Append("# EOF\n").ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Start(file, redirect: true, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    private static Process Start(string file, bool redirect, params string[] args)
    {
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} is not installed (eng/install-test-deps.sh installs it).");
        }

        var info = new ProcessStartInfo(file) { RedirectStandardOutput = redirect, RedirectStandardError = redirect, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
    }

    private void WaitReady(Uri baseAddress)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_prometheus!.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_prometheus.ExitCode} (its output is above)");
            }

            try
            {
                using var response = http.GetAsync(new Uri(baseAddress, "-/ready")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            Thread.Sleep(200);
        }

        throw new InvalidOperationException("prometheus did not become ready within 120 s");
    }
}
