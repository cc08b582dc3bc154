using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Judging;
using RollbackKit.Playbooks;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Tests.Judging;

/// <summary>
/// The judge end to end against the real Prometheus: latency series backfilled with promtool, a canary 10 % above its
/// baseline fails the judge (and is sent to the dispatcher), a canary 1 % above passes with an effect tolerance of 0.05.
/// </summary>
public sealed class PrometheusJudgeTests(JudgePrometheusFixture prometheus) : IClassFixture<JudgePrometheusFixture>
{
    [Fact]
    public async Task Judge_CanaryTenPercentSlower_FailsAndRollsBack_OnePercentPasses()
    {
        var dispatcher = new RecordingDispatcher();
        var time = new FakeTimeProvider(prometheus.Day.AddHours(10).AddMinutes(20));
        var journal = Path.Combine(Path.GetTempPath(), "rbk-judge-" + Guid.NewGuid().ToString("N")[..12], "journal.jsonl");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IRollbackDispatcher>(dispatcher);
        services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Workflow.JournalPath = journal;
                o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "noop" });
                foreach (var name in JudgeSeries.Deployments)
                {
                    o.Targets.Add(new TargetDefinition { Id = "shop/" + name, Labels = { ["namespace"] = "shop", ["name"] = name } });
                }

                o.Triggers.Add(new TriggerDefinition
                {
                    Name = "latency-judge",
                    Severity = RollbackSeverity.Critical,
                    Judge = new JudgeDefinition
                    {
                        Window = TimeSpan.FromMinutes(10),
                        Step = TimeSpan.FromSeconds(15),
                        Metrics =
                        {
                            new JudgeMetricDefinition
                            {
                                Name = "latency",
                                Canary = "judge_latency_ms{deployment=\"{{name}}\",track=\"canary\"}",
                                Baseline = "judge_latency_ms{deployment=\"{{name}}\",track=\"baseline\"}",
                                Direction = JudgeDirection.Increase,
                                EffectTolerance = 0.05,
                                Critical = true,
                                MinSamples = 20,
                            },
                        },
                    },
                });
            })
            .AddPlaybookStep("noop", static (_, _) => ValueTask.FromResult(StepResult.Success()))
            .AddPrometheus(p =>
            {
                p.BaseAddress = prometheus.BaseAddress;
                p.MaxRetries = 0;
            });
        await using var provider = services.BuildServiceProvider();

        var reports = await provider.GetRequiredService<JudgeMonitor>().JudgeAllAsync();

        var shifted = reports.Single(r => r.Target == "shop/shift10");
        Assert.Null(shifted.Error);
        Assert.Equal(JudgeClassification.Fail, shifted.Score!.Value.Classification);
        var latency = shifted.Metrics[0];
        Assert.Equal(MetricOutcome.Fail, latency.Outcome);
        Assert.Equal(41, latency.CanaryCount);
        Assert.Equal(41, latency.BaselineCount);
        Assert.True(latency.PValue < 1e-6, $"p {latency.PValue}");
        Assert.InRange(latency.Effect, 0.07, 0.13);

        var slight = reports.Single(r => r.Target == "shop/shift1");
        Assert.Null(slight.Error);
        Assert.Equal(JudgeClassification.Pass, slight.Score!.Value.Classification);
        Assert.Equal(MetricOutcome.Pass, slight.Metrics[0].Outcome);
        Assert.InRange(slight.Metrics[0].Effect, -0.02, 0.04);

        var request = Assert.Single(dispatcher.Requests);
        Assert.Equal("shop/shift10", request.Target.Id);
        Assert.Equal("latency-judge", request.RequestedBy);
        Assert.Contains(request.Evidence!.Values, v => v.Name == "latency.p_value" && v.Value == latency.PValue);
        Assert.Contains(request.Evidence.Values, v => v.Name == "latency.effect" && v.Value == latency.Effect);
    }
}

/// <summary>The real Prometheus on a free loopback port, holding only the <see cref="JudgeSeries"/> (backfilled with promtool).</summary>
public sealed class JudgePrometheusFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rbk-judge-prom-" + Guid.NewGuid().ToString("N")[..12]);
    private ExternalProcess? _process;

    /// <summary>00:00 UTC of the day the series are on (30-54 hours in the past, inside retention).</summary>
    public DateTimeOffset Day { get; } = new(DateTime.UtcNow.AddHours(-30).Date, TimeSpan.Zero);

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ExternalProcess.RequireBinary(PrometheusFixture.PrometheusBinary);
        ExternalProcess.RequireBinary(PrometheusFixture.PromtoolBinary);
        var dataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dataDir);
        var openMetrics = Path.Combine(_root, "series.om");
        await File.WriteAllTextAsync(openMetrics, JudgeSeries.Build(Day));
        await ExternalProcess.RunAsync(PrometheusFixture.PromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", openMetrics, dataDir);
        await File.WriteAllTextAsync(Path.Combine(_root, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
        var port = FreePort.Get();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _process = ExternalProcess.Start(PrometheusFixture.PrometheusBinary,
        [
            "--config.file=" + Path.Combine(_root, "prometheus.yml"),
            "--storage.tsdb.path=" + dataDir,
            "--storage.tsdb.retention.time=3650d",
            $"--web.listen-address=127.0.0.1:{port}",
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

/// <summary>
/// Latency in ms, 10:00-10:30 every 15 s: per deployment a baseline around 100 and a canary around 100 × (1 + shift), each
/// with its own deterministic normal noise (standard deviation 3).
/// </summary>
internal static class JudgeSeries
{
    public static readonly string[] Deployments = ["shift10", "shift1"];

    public static string Build(DateTimeOffset day)
    {
        var text = new StringBuilder("# TYPE judge_latency_ms gauge\n");
        var random = new Random(20261202);
        for (var t = day.AddHours(10); t <= day.AddHours(10).AddMinutes(30); t = t.AddSeconds(15))
        {
            foreach (var (name, shift) in new[] { ("shift10", 0.10), ("shift1", 0.01) })
            {
                Sample(text, name, "baseline", 100 + Noise(random), t);
                Sample(text, name, "canary", (100 * (1 + shift)) + Noise(random), t);
            }
        }

        text.Append("# EOF\n");
        return text.ToString();
    }

    private static double Noise(Random random) =>
        Math.Round(3 * Math.Sqrt(-2 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()), 3);

    private static void Sample(StringBuilder text, string deployment, string track, double value, DateTimeOffset time) =>
        text.Append("judge_latency_ms{deployment=\"").Append(deployment).Append("\",track=\"").Append(track).Append("\"} ")
            .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
}
