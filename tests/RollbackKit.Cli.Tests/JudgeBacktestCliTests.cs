using System.Text.Json;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests;

/// <summary><c>rollbackkit backtest</c> of a judge trigger against the real Prometheus holding the recorded incident.</summary>
public sealed class JudgeBacktestCliTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Backtest_JudgeTrigger_FiresWhenTheRegressionDominatesTheWindowAndWritesJudgementsToJsonTableAndReport()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.AddHours(-30).Date, TimeSpan.Zero);
        await using var prometheus = await PrometheusServer.StartAsync(Incident.OpenMetrics(day));
        var config = _directory.File("appsettings.json", """
            {
              "RollbackKit": {
                "Targets": [
                  { "Id": "shop/checkout", "Labels": { "namespace": "shop", "name": "checkout" } },
                  { "Id": "shop/cart", "Labels": { "namespace": "shop", "name": "cart" } }
                ],
                "Triggers": [
                  { "Name": "canary-judge", "Severity": "Critical", "Judge": {
                      "Window": "00:05:00", "Step": "00:00:15", "Interval": "00:01:00",
                      "Metrics": [ { "Name": "error_ratio", "Canary": "max(app_error_ratio{app=\"{{name}}\",track=\"canary\"})",
                                     "Baseline": "max(app_error_ratio{app=\"{{name}}\",track=\"stable\"})", "EffectTolerance": 0.5 } ] } }
                ],
                "Playbook": { "Steps": [ { "Type": "kubernetes.undo" } ] }
              }
            }
            """);
        var json = _directory.File("backtest.json");
        var html = _directory.File("report.html");

        var run = await CliProcess.RunAsync(
            "backtest", "--config", config, "--prometheus", prometheus.BaseAddress.ToString(),
            "--from", IncidentBacktest.Rfc3339(Incident.At(day, 10, 0)), "--to", IncidentBacktest.Rfc3339(Incident.At(day, 10, 45)),
            "--step", "15s", "--json", json, "--html", html);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Judges", run.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = document.RootElement;

        // The 2-minute blip at 10:08 never holds the window's median; the regression from 10:20 does at 10:23
        // (13 of the window's 21 samples), and the judge fires once.
        var fire = Assert.Single(root.GetProperty("fires").EnumerateArray());
        Assert.Equal("canary-judge", fire.GetProperty("trigger").GetString());
        Assert.Equal("shop/checkout", fire.GetProperty("target").GetString());
        Assert.Equal(IncidentBacktest.Rfc3339(Incident.At(day, 10, 23)), fire.GetProperty("at").GetString());
        Assert.Equal("Started", fire.GetProperty("decision").GetString());
        Assert.Equal(0, fire.GetProperty("values").GetProperty("judge.score").GetDouble());

        var checkout = root.GetProperty("targets")[0];
        Assert.Empty(checkout.GetProperty("triggers").EnumerateArray());
        var judge = Assert.Single(checkout.GetProperty("judges").EnumerateArray());
        Assert.Equal("canary-judge", judge.GetProperty("name").GetString());
        Assert.Equal(["error_ratio"], judge.GetProperty("metrics").EnumerateArray().Select(static m => m.GetString()));
        Assert.Equal(("5m", "15s", "1m"), (judge.GetProperty("window").GetString(), judge.GetProperty("step").GetString(), judge.GetProperty("interval").GetString()));
        Assert.Equal((95, 75), (judge.GetProperty("passScore").GetDouble(), judge.GetProperty("marginalScore").GetDouble()));
        var points = judge.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(46, points.Count); // 10:00 to 10:45, a minute apart
        var fired = Assert.Single(points, static p => p.GetProperty("fired").GetBoolean());
        Assert.Equal(fire.GetProperty("at").GetString(), fired.GetProperty("at").GetString());
        Assert.Equal(("Fail", "fail", 0d), (fired.GetProperty("classification").GetString(), fired.GetProperty("state").GetString(), fired.GetProperty("score").GetDouble()));
        Assert.Equal(["error_ratio"], fired.GetProperty("failedMetrics").EnumerateArray().Select(static m => m.GetString()));
        var metric = fired.GetProperty("metrics")[0];
        Assert.Equal(("error_ratio", "Fail", 21), (metric.GetProperty("name").GetString(), metric.GetProperty("outcome").GetString(), metric.GetProperty("canaryCount").GetInt32()));
        Assert.True(metric.GetProperty("pValue").GetDouble() < 0.05);
        Assert.True(metric.GetProperty("effect").GetDouble() > 0.5);
        Assert.Equal(JsonValueKind.Null, fired.GetProperty("error").ValueKind);
        Assert.All(points.Take(23), static p => Assert.Equal("pass", p.GetProperty("state").GetString()));

        var cart = Assert.Single(root.GetProperty("targets")[1].GetProperty("judges").EnumerateArray());
        Assert.All(cart.GetProperty("points").EnumerateArray(), static p => Assert.Equal("pass", p.GetProperty("state").GetString()));
        var report = await File.ReadAllTextAsync(html);
        Assert.Contains("section class=\"judge\"", report, StringComparison.Ordinal);
    }
}
