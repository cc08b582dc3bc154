using Microsoft.Extensions.Configuration;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using RollbackKit.Engine;

namespace RollbackKit.Tests.Engine;

/// <summary>
/// Loads every configuration in docs/triggers.md and checks that scripted values fire it (at the expected time, with
/// the expected actual and threshold) and that healthy values never do.
/// </summary>
public partial class TriggerCatalogTests
{
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(30);

    private static readonly Dictionary<string, Scenario> s_scenarios = new()
    {
        ["error-rate-regression"] = Steady(5, new() { ["canary_error_rate"] = 0.05, ["baseline_error_rate"] = 0.02 }, new() { ["canary_error_rate"] = 0.025, ["baseline_error_rate"] = 0.02 }, 0.05, 0.03),
        ["p99-latency-regression"] = Steady(5, new() { ["canary_p99_latency"] = 0.9, ["baseline_p99_latency"] = 0.4 }, new() { ["canary_p99_latency"] = 0.75, ["baseline_p99_latency"] = 0.4 }, 0.9, 0.8),
        ["success-rate-low"] = Steady(3, new() { ["success_rate"] = 0.90 }, new() { ["success_rate"] = 0.97 }, 0.90, 0.95),
        ["throughput-drop"] = Steady(10, new() { ["throughput_rps"] = 40, ["throughput_rps_last_week"] = 100 }, new() { ["throughput_rps"] = 60, ["throughput_rps_last_week"] = 100 }, 40, 50),
        ["security-event"] = Steady(0, new() { ["security_events"] = 1 }, new() { ["security_events"] = 0 }, 1, 0),
        ["data-corruption"] = Steady(0, new() { ["data_corruption_events"] = 2 }, new() { ["data_corruption_events"] = 0 }, 2, 0),
        ["memory-near-limit"] = Steady(5, new() { ["memory_usage_ratio"] = 0.97 }, new() { ["memory_usage_ratio"] = 0.95 }, 0.97, 0.95),
        ["circuit-breaker-trips"] = Steady(0, new() { ["circuit_breaker_trips"] = 11 }, new() { ["circuit_breaker_trips"] = 10 }, 11, 10),
        ["db-connection-errors"] = Steady(0, new() { ["db_connection_errors"] = 12 }, new() { ["db_connection_errors"] = 10 }, 12, 10),
        ["p95-latency-regression"] = Steady(5, new() { ["canary_p95_latency"] = 0.7, ["baseline_p95_latency"] = 0.4 }, new() { ["canary_p95_latency"] = 0.6, ["baseline_p95_latency"] = 0.4 }, 0.7, 0.6),

        // 30 ticks = 5 minutes. Four failing probes at the start of each 5 minutes fire on the 4th (30 s after the
        // first); three per 5 minutes never do, however long it runs.
        ["health-check-failures"] = new(
            TimeSpan.FromSeconds(30),
            tick => new() { ["health_check_up"] = tick % 30 < 4 ? 0 : 1 },
            tick => new() { ["health_check_up"] = tick % 30 < 3 ? 0 : 1 },
            0,
            1),

        // Capture for 10 minutes at 1 %, then 3 % (> 2 x 1 %) fires 5 minutes later; 1.5 % never does.
        ["error-rate-vs-captured-baseline"] = new(
            TimeSpan.FromMinutes(15),
            tick => new() { ["error_rate"] = tick < 60 ? 0.01 : 0.03 },
            tick => new() { ["error_rate"] = tick < 60 ? 0.01 : 0.015 },
            0.03,
            0.02,
            CaptureBaseline: true),
    };

    public static TheoryData<string> DocumentedTriggers()
    {
        var data = new TheoryData<string>();
        foreach (var name in LoadDocs().Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Docs_ListEveryCatalogTrigger()
    {
        var documented = LoadDocs();
        Assert.Equal(s_scenarios.Keys.Order(), documented.Keys.Order());
        Assert.Equal(12, documented.Count);
    }

    [Theory]
    [MemberData(nameof(DocumentedTriggers))]
    public void DocumentedTrigger_FailingValues_FireAtExpectedTime(string name)
    {
        var scenario = s_scenarios[name];
        var (firedAt, verdict) = Run(LoadDocs()[name], scenario, scenario.Failing);
        Assert.Equal(scenario.FiresAfter, firedAt);
        Assert.Equal(VerdictOutcome.Fail, verdict.Outcome);
        Assert.Equal(scenario.Actual, verdict.Actual, 9);
        Assert.Equal(scenario.Threshold, verdict.Threshold, 9);
    }

    [Theory]
    [MemberData(nameof(DocumentedTriggers))]
    public void DocumentedTrigger_HealthyValues_NeverFire(string name)
    {
        var scenario = s_scenarios[name];
        var (firedAt, last) = Run(LoadDocs()[name], scenario, scenario.Healthy);
        Assert.Null(firedAt);
        Assert.True(last.Outcome is VerdictOutcome.Pass or VerdictOutcome.Fail, $"measured, got {last.Outcome}");
    }

    private static Scenario Steady(int minutes, Dictionary<string, double> failing, Dictionary<string, double> healthy, double actual, double threshold) =>
        new(TimeSpan.FromMinutes(minutes), _ => failing, _ => healthy, actual, threshold);

    /// <summary>Ticks every 10 s for up to 30 minutes; returns the time from the first tick to the firing one.</summary>
    private static (TimeSpan? FiredAt, TriggerVerdict Verdict) Run(RollbackKitOptions options, Scenario scenario, Func<int, Dictionary<string, double>> values)
    {
        var h = new EngineHarness(
            [.. options.Queries.Select(q => q.Name)],
            [.. options.Triggers],
            baselines: [.. options.Baselines]);
        var start = h.Now;
        if (scenario.CaptureBaseline)
        {
            h.Engine.StartBaselineCapture(0, start);
        }

        TriggerVerdict verdict = default;
        for (var tick = 0; h.Now - start < Horizon; tick++)
        {
            foreach (var (query, value) in values(tick))
            {
                h.Set(query, value);
            }

            verdict = tick == 0 ? h.TickNow() : h.Tick();
            Assert.NotEqual(VerdictOutcome.Error, verdict.Outcome);
            if (verdict.Fired)
            {
                return (h.Now - start, verdict);
            }
        }

        return (null, verdict);
    }

    private static Dictionary<string, RollbackKitOptions> LoadDocs()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "triggers.md"));
        var result = new Dictionary<string, RollbackKitOptions>(StringComparer.Ordinal);
        foreach (Match match in JsonBlock().Matches(text))
        {
            // Bound the way a host binds it (strict, any duration form), not with a serializer the docs never meet.
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(match.Groups[1].Value));
            var section = new ConfigurationBuilder().AddJsonStream(stream).Build().GetSection("RollbackKit");
            var options = new RollbackKitOptions();
            var errors = new List<string>();
            RollbackKit.Internal.StrictConfigurationBinder.Bind(section, options, "RollbackKit", errors);
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
            foreach (var trigger in options.Triggers)
            {
                result.Add(trigger.Name, options);
            }
        }

        return result;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RollbackKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RollbackKit.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();


    private sealed record Scenario(
        TimeSpan FiresAfter,
        Func<int, Dictionary<string, double>> Failing,
        Func<int, Dictionary<string, double>> Healthy,
        double Actual,
        double Threshold,
        bool CaptureBaseline = false);
}
