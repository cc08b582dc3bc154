using System.Globalization;
using System.Text;
using RollbackKit.Prometheus.Tests.Infrastructure;

namespace RollbackKit.Prometheus.Tests.Backtesting;

[CollectionDefinition(Name)]
public sealed class BacktestPrometheusGroup : ICollectionFixture<BacktestPrometheusFixture>
{
    public const string Name = "prometheus-backtest";
}

/// <summary>
/// The real Prometheus (Debian package) on a free loopback port, with no scrape targets: its only data are the series
/// <see cref="BacktestSeries"/> generates, written as OpenMetrics and turned into blocks with
/// <c>promtool tsdb create-blocks-from openmetrics</c> in its data directory before it starts.
/// </summary>
public sealed class BacktestPrometheusFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rbk-backtest-" + Guid.NewGuid().ToString("N")[..12]);
    private ExternalProcess? _process;

    /// <summary>00:00 UTC of the day the series are on (30-54 hours in the past, inside retention).</summary>
    public DateTimeOffset Day { get; } = new(DateTime.UtcNow.AddHours(-30).Date, TimeSpan.Zero);

    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public DateTimeOffset At(int hour, int minute, int second = 0) => Day.AddHours(hour).AddMinutes(minute).AddSeconds(second);

    public async Task InitializeAsync()
    {
        ExternalProcess.RequireBinary(PrometheusFixture.PrometheusBinary);
        ExternalProcess.RequireBinary(PrometheusFixture.PromtoolBinary);
        var dataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dataDir);
        var openMetrics = Path.Combine(_root, "series.om");
        await File.WriteAllTextAsync(openMetrics, BacktestSeries.Build(Day));
        await ExternalProcess.RunAsync(PrometheusFixture.PromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", openMetrics, dataDir);
        await File.WriteAllTextAsync(Path.Combine(_root, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
        Port = FreePort.Get();
        _process = ExternalProcess.Start(PrometheusFixture.PrometheusBinary,
        [
            "--config.file=" + Path.Combine(_root, "prometheus.yml"),
            "--storage.tsdb.path=" + dataDir,
            "--storage.tsdb.retention.time=3650d",
            $"--web.listen-address=127.0.0.1:{Port}",
            "--log.level=warn",
        ]);
        await PrometheusFixture.WaitReadyAsync(_process, BaseAddress);
    }

    public Task DisposeAsync()
    {
        _process?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>The backtest series, 09:50-12:00 of the fixture's day, one sample every 15 seconds.</summary>
internal static class BacktestSeries
{
    public const int SampleSeconds = 15;

    public static string Build(DateTimeOffset day)
    {
        var times = new List<DateTimeOffset>();
        for (var t = day.AddHours(9).AddMinutes(50); t <= day.AddHours(12); t = t.AddSeconds(SampleSeconds))
        {
            times.Add(t);
        }

        var text = new StringBuilder();
        text.Append("# TYPE bt_error_rate gauge\n");

        // Spiky: 0.5 errors/min, 5.2 from 10:20 on. Flappy: 5.2 for two minutes, 0.5 for two, from 10:10.
        // Quiet (no traffic): the ratio is NaN. "idle" has no series at all.
        foreach (var t in times)
        {
            Sample(text, "bt_error_rate", "deployment=\"spiky\"", t < day.AddHours(10).AddMinutes(20) ? 0.5 : 5.2, t);
            var flap = (t - day.AddHours(10).AddMinutes(10)).TotalMinutes;
            Sample(text, "bt_error_rate", "deployment=\"flappy\"", flap >= 0 && ((int)(flap / 2)) % 2 == 0 ? 5.2 : 0.5, t);
            Sample(text, "bt_error_rate", "deployment=\"quiet\"", double.NaN, t);
        }

        // Ramp: minutes since 10:00 (a new value every sample), for the chunked range test.
        text.Append("# TYPE bt_ramp gauge\n");
        foreach (var t in times)
        {
            Sample(text, "bt_ramp", "deployment=\"ramp\"", (t - day.AddHours(10)).TotalMinutes, t);
        }

        // A counter that must never increase: 0 until 10:30, then 1.
        text.Append("# TYPE bt_payment_failures counter\n");
        foreach (var t in times)
        {
            Sample(text, "bt_payment_failures_total", "deployment=\"payments\"", t < day.AddHours(10).AddMinutes(30) ? 0 : 1, t);
        }

        // Latency of a canary and its baseline, about 100 ± 3; the canary 20 % higher from 10:30 on.
        text.Append("# TYPE bt_latency gauge\n");
        foreach (var t in times)
        {
            Sample(text, "bt_latency", "deployment=\"judged\",track=\"baseline\"", LatencyAt(day, t, canary: false), t);
            Sample(text, "bt_latency", "deployment=\"judged\",track=\"canary\"", LatencyAt(day, t, canary: true), t);
        }

        text.Append("# EOF\n");
        return text.ToString();
    }

    /// <summary>When the canary's latency shifts up by 20 %.</summary>
    public static DateTimeOffset LatencyShiftAt(DateTimeOffset day) => day.AddHours(10).AddMinutes(30);

    /// <summary>The latency sample at <paramref name="time"/> (on the 15 s grid): 100 ± 3, deterministic; the canary × 1.2 from the shift.</summary>
    public static double LatencyAt(DateTimeOffset day, DateTimeOffset time, bool canary)
    {
        var index = (int)((time - day).TotalSeconds / SampleSeconds);
        var value = Math.Round(97 + (6 * new Random((index * 2) + (canary ? 1 : 0)).NextDouble()), 3);
        return canary && time >= LatencyShiftAt(day) ? Math.Round(value * 1.2, 3) : value;
    }

    /// <summary>The ramp's value at <paramref name="time"/> (the last sample at or before it).</summary>
    public static double RampAt(DateTimeOffset day, DateTimeOffset time)
    {
        var seconds = (long)(time - day.AddHours(10)).TotalSeconds;
        return Math.Floor(seconds / (double)SampleSeconds) * SampleSeconds / 60.0;
    }

    private static void Sample(StringBuilder text, string name, string labels, double value, DateTimeOffset time) =>
        text.Append(name).Append('{').Append(labels).Append("} ")
            .Append(double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
}
