using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests.Planning;

/// <summary>
/// <c>rollbackkit drill</c> as a real process: a real rollback through http and delay steps against a loopback server,
/// verified through the real Prometheus, notified to a loopback Slack webhook, then the markdown report.
/// </summary>
public sealed partial class DrillCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private PrometheusServer? _prometheus;
    private LoopbackHttpServer? _web;
    private volatile int _healthStatus = StatusCodes.Status200OK;

    public async Task InitializeAsync()
    {
        _prometheus = await PrometheusServer.StartAsync("# HELP app_up up\n# TYPE app_up gauge\napp_up 1 1700000000\n# EOF\n");
        _web = await LoopbackHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value ?? string.Empty;
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _requests.Enqueue($"{context.Request.Method} {path} {body}");
            context.Response.StatusCode = path == "/health" ? _healthStatus : StatusCodes.Status200OK;
            await context.Response.WriteAsync("ok");
        });
    }

    public async Task DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Drill_HealthyTarget_RollsBackVerifies_AndReportsPhasesAndNotifications()
    {
        var config = _directory.File("appsettings.json", Config());
        var reportPath = Path.Combine(_directory.Path, "reports", "drill.md");

        var run = await CliProcess.RunAsync("drill", "--config", config, "--target", "shop/checkout", "--report", reportPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("drill passed: rolled back and verified", run.Output, StringComparison.Ordinal);
        Assert.Contains("step 3/3 'recheck' succeeded", run.Output, StringComparison.Ordinal);
        var report = await File.ReadAllTextAsync(reportPath);
        Assert.Contains("- **Result: PASSED** — rolled back and verified; the playbook took ", report, StringComparison.Ordinal);
        Assert.Contains($"- Requested by: drill:{Environment.UserName}, reason \"drill\"", report, StringComparison.Ordinal);

        var phases = TableRows(report, "## Phases");
        Assert.Equal(
            ["Admission", "Approval", "Step 1: health (http)", "Step 2: settle (delay)", "Step 3: recheck (http)", "Playbook", "Verification"],
            phases.Select(static r => r[0]));
        Assert.All(phases, static r => Assert.Matches(DurationPattern(), r[2]));
        Assert.All(phases, static r => Assert.StartsWith("ok: ", r[4], StringComparison.Ordinal));
        Assert.Equal("5s expected, timeout 10s", phases[2][3]);
        Assert.Equal("2s expected, timeout 10s", phases[3][3]);
        Assert.Equal("budget 1m", phases[5][3]);
        Assert.Equal("one check", phases[6][3]);
        Assert.StartsWith("ok: succeeded in 1 attempt: ", phases[2][4], StringComparison.Ordinal);
        Assert.StartsWith("ok: healthy, 1 of 1 checks passed", phases[6][4], StringComparison.Ordinal);
        Assert.Contains("- Result: healthy (1 of 1 checks passed)", report, StringComparison.Ordinal);

        var notifications = TableRows(report, "## Notifications");
        var slack = notifications.Where(static r => r[1] == "slack").Select(static r => (r[2], r[3], r[4])).ToArray();
        Assert.Equal(
            [
                ("Fired", "incoming webhook, channel #deploys", "yes"),
                ("Started", "incoming webhook, channel #deploys", "yes"),
                ("StepCompleted (health)", "incoming webhook, channel #deploys", "yes"),
                ("StepCompleted (settle)", "incoming webhook, channel #deploys", "yes"),
                ("StepCompleted (recheck)", "incoming webhook, channel #deploys", "yes"),
                ("Succeeded", "incoming webhook, channel #deploys", "yes"),
            ],
            slack);
        Assert.Contains(notifications, static r => r[1] == "log" && r[2] == "Succeeded" && r[3] == "the application log");
        Assert.DoesNotContain(notifications, static r => r[1] == "drill-progress");

        // What really happened: both checks hit the server, Slack received the messages, the journal recorded the drill.
        Assert.Equal(2, _requests.Count(static r => r.StartsWith("GET /health", StringComparison.Ordinal)));
        Assert.Equal(6, _requests.Count(static r => r.StartsWith("POST /hook", StringComparison.Ordinal)));
        var journal = await File.ReadAllTextAsync(Path.Combine(_directory.Path, "journal", "journal.jsonl"));
        Assert.Contains($"\"requestedBy\":\"drill:{Environment.UserName}\"", journal, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"reason\":\"drill\"", journal, StringComparison.OrdinalIgnoreCase);
        Assert.Single(Directory.GetFiles(Path.Combine(_directory.Path, "evidence"), "*.zip"));
    }

    [Fact]
    public async Task Drill_FailingStep_Exits7_AndStillWritesTheReport_UnderItsDefaultName()
    {
        _healthStatus = StatusCodes.Status503ServiceUnavailable;
        var config = _directory.File("appsettings.json", Config());
        var workingDirectory = Directory.CreateDirectory(Path.Combine(_directory.Path, "cwd")).FullName;

        var run = await CliProcess.RunInAsync(workingDirectory, "drill", "--config", config, "--target", "shop/checkout");

        Assert.True(run.ExitCode == 7, run.ToString());
        Assert.Contains("drill failed: the rollback ended RollbackFailed", run.Output, StringComparison.Ordinal);
        var file = Assert.Single(Directory.GetFiles(workingDirectory, "drill-shop-checkout-*.md"));
        Assert.Matches(@"drill-shop-checkout-\d{8}T\d{6}Z\.md$", file);
        var report = await File.ReadAllTextAsync(file);
        Assert.Contains("- **Result: FAILED** — the rollback ended RollbackFailed", report, StringComparison.Ordinal);
        var phases = TableRows(report, "## Phases");
        Assert.Equal(["Admission", "Approval", "Step 1: health (http)", "Playbook"], phases.Select(static r => r[0]));
        Assert.StartsWith("**problem**: failed in 1 attempt", phases[2][4], StringComparison.Ordinal);
        Assert.Matches(DurationPattern(), phases[2][2]);
        var notifications = TableRows(report, "## Notifications");
        Assert.Contains(notifications, static r => r[1] == "slack" && r[2] == "Failed" && r[4] == "yes");
    }

    [Fact]
    public async Task Drill_UnknownTarget_Exits2_WithoutRunningAnything()
    {
        var config = _directory.File("appsettings.json", Config());

        var run = await CliProcess.RunAsync("drill", "--config", config, "--target", "shop/basket", "--report", Path.Combine(_directory.Path, "r.md"));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--target: 'shop/basket' is not a target of RollbackKit:Targets (known: shop/checkout).", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.Path, "r.md")));
        Assert.Empty(_requests);
    }

    private string Config() => PlanConfigs.Good(
        _directory.Path,
        prometheus: _prometheus!.BaseAddress.ToString(),
        health: new Uri(_web!.BaseAddress, "health").ToString(),
        slack: new Uri(_web.BaseAddress, "hook").ToString());

    /// <summary>The body rows of the first markdown table after <paramref name="heading"/>, as cells.</summary>
    private static List<string[]> TableRows(string markdown, string heading)
    {
        var lines = ValidateCommandTests.Lines(markdown[markdown.IndexOf(heading, StringComparison.Ordinal)..]);
        return lines.SkipWhile(static l => !l.StartsWith('|'))
            .TakeWhile(static l => l.StartsWith('|'))
            .Skip(2)
            .Select(static l => l.Trim('|').Split(" | ").Select(static c => c.Trim()).ToArray())
            .ToList();
    }

    [GeneratedRegex(@"^\d+(\.\d+)?(ms|s)$|^(\d+[dhms])+$")]
    private static partial Regex DurationPattern();
}
