using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests;

/// <summary>Exit codes 0, 2 and 3 of <c>rollbackkit backtest</c>, on real processes.</summary>
public sealed class BacktestExitCodeTests : IDisposable
{
    private const string From = "2026-11-30T10:00:00Z";
    private const string To = "2026-11-30T10:05:00Z";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Help_ListsTheExitCodes()
    {
        var run = await CliProcess.RunAsync("backtest", "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--prometheus", run.Output, StringComparison.Ordinal);
        Assert.Contains("3 Prometheus unreachable", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "yesterday", "--from: 'yesterday' is not an RFC 3339 time")]
    [InlineData("--from", "2026-11-30T10:00:00", "--from: '2026-11-30T10:00:00' is not an RFC 3339 time")]
    [InlineData("--step", "fast", "--step: 'fast' is not a step")]
    [InlineData("--prometheus", "127.0.0.1:9090", "--prometheus: '127.0.0.1:9090' is not an http or https address")]
    public async Task Backtest_BadArgument_Exits2NamingTheOption(string option, string value, string expected)
    {
        var config = _directory.File("appsettings.json", Incident.AppSettings());
        var arguments = new List<string> { "backtest", "--config", config, "--prometheus", "http://127.0.0.1:9/", "--from", From, "--to", To };
        var index = arguments.IndexOf(option);
        if (index >= 0)
        {
            arguments[index + 1] = value;
        }
        else
        {
            arguments.AddRange([option, value]);
        }

        var run = await CliProcess.RunAsync([.. arguments]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_MissingRequiredOptionAndReversedRange_Exits2()
    {
        var config = _directory.File("appsettings.json", Incident.AppSettings());

        var missing = await CliProcess.RunAsync("backtest", "--config", config, "--to", To);
        var reversed = await CliProcess.RunAsync("backtest", "--config", config, "--from", To, "--to", From);

        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("--from", missing.Error, StringComparison.Ordinal);
        Assert.True(reversed.ExitCode == 2, reversed.ToString());
        Assert.Contains("--to must be after --from", reversed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"Triggers\": [", "\"Trigers\": [", "RollbackKit:Trigers")]
    [InlineData("canary_error_rate > stable_error_rate * 2", "canary_eror_rate > stable_error_rate * 2", "RollbackKit:Triggers:0:Condition")]
    [InlineData("\"For\": \"3m\"", "\"For\": \"three minutes\"", "RollbackKit:Triggers:0:For")]
    [InlineData("\"Id\": \"shop/cart\",", "\"Id\": \"shop/cart\", \"Colour\": \"blue\",", "RollbackKit:Targets:1:Colour")]
    public async Task Backtest_BadConfiguration_Exits2NamingTheKeyPath(string find, string replace, string keyPath)
    {
        var settings = Incident.AppSettings();
        Assert.Contains(find, settings, StringComparison.Ordinal);
        var config = _directory.File("appsettings.json", settings.Replace(find, replace, StringComparison.Ordinal));

        var run = await CliProcess.RunAsync("backtest", "--config", config, "--prometheus", "http://127.0.0.1:9/", "--from", From, "--to", To);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(keyPath, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_ConfigurationProblems_Exits2NamingFileSectionOrTarget()
    {
        var config = _directory.File("appsettings.json", Incident.AppSettings());
        var broken = _directory.File("broken.json", "{ \"RollbackKit\": { ");
        var common = new[] { "--prometheus", "http://127.0.0.1:9/", "--from", From, "--to", To };

        var missingFile = await CliProcess.RunAsync(["backtest", "--config", _directory.File("missing.json"), .. common]);
        var invalidJson = await CliProcess.RunAsync(["backtest", "--config", broken, .. common]);
        var missingSection = await CliProcess.RunAsync(["backtest", "--config", config, "--section", "MyApp:Rollback", .. common]);
        var unknownTarget = await CliProcess.RunAsync(["backtest", "--config", config, "--target", "shop/nope", .. common]);

        Assert.True(missingFile.ExitCode == 2, missingFile.ToString());
        Assert.Contains("missing.json does not exist", missingFile.Error, StringComparison.Ordinal);
        Assert.True(invalidJson.ExitCode == 2, invalidJson.ToString());
        Assert.Contains("is not valid JSON", invalidJson.Error, StringComparison.Ordinal);
        Assert.True(missingSection.ExitCode == 2, missingSection.ToString());
        Assert.Contains("'MyApp:Rollback' is not a section", missingSection.Error, StringComparison.Ordinal);
        Assert.True(unknownTarget.ExitCode == 2, unknownTarget.ToString());
        Assert.Contains("shop/nope", unknownTarget.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_PrometheusUnreachable_Exits3()
    {
        var config = _directory.File("appsettings.json", Incident.AppSettings());
        var closedPort = FreePort.Get();

        var run = await CliProcess.RunAsync("backtest", "--config", config, "--prometheus", $"http://127.0.0.1:{closedPort}/", "--from", From, "--to", To);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("canary_error_rate", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"overloaded\"}")]
    [InlineData(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error: unexpected character\"}")]
    [InlineData(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,\"0.1\"")]
    public async Task Backtest_PrometheusAnswersErrors_Exits3(int status, string body)
    {
        var requests = 0;
        await using var stub = await LoopbackHttpServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        var config = _directory.File("appsettings.json", Incident.AppSettings());
        var json = _directory.File("out.json");

        var run = await CliProcess.RunAsync("backtest", "--config", config, "--prometheus", stub.BaseAddress.ToString(), "--from", From, "--to", To, "--json", json);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.True(Volatile.Read(ref requests) > 0);
        Assert.Contains("error", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_StubAnsweringQueryRange_Exits0WithFiresAtTheRightStep()
    {
        // The canary's error ratio is 0.05 from 10:02 on, the stable's 0.01 throughout: with For 1m the error-rate
        // trigger fires at 10:03 for both targets, and nothing else is an error.
        var regression = DateTimeOffset.Parse("2026-11-30T10:02:00Z", CultureInfo.InvariantCulture);
        await using var stub = await LoopbackHttpServer.StartAsync(context => AnswerRangeAsync(context, regression));
        var config = _directory.File("appsettings.json", Incident.AppSettings(errorRateFor: "1m"));
        var json = _directory.File("out.json");
        var html = _directory.File("out.html");

        var run = await CliProcess.RunInAsync(_directory.Path, "backtest", "--config", config, "--prometheus", stub.BaseAddress.ToString(), "--from", From, "--to", To,
            "--target", "shop/checkout", "--json", json, "--html", html);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var fires = document.RootElement.GetProperty("fires").EnumerateArray()
            .Select(static f => (f.GetProperty("target").GetString(), f.GetProperty("trigger").GetString(), f.GetProperty("at").GetString()))
            .ToList();
        Assert.Contains(("shop/checkout", "error-rate", "2026-11-30T10:03:00Z"), fires);
        Assert.DoesNotContain(fires, static f => f.Item1 == "shop/cart");
        Assert.Single(document.RootElement.GetProperty("targets").EnumerateArray());
        Assert.Contains("error-rate", run.Output, StringComparison.Ordinal);
        Assert.True(new FileInfo(html).Length > 50_000, "the report embeds the chart library");

        // Nothing else written where it ran: the journal a backtest never uses is not created in the working directory.
        Assert.Equal(["appsettings.json", "out.html", "out.json"], Directory.GetFileSystemEntries(_directory.Path).Select(static p => Path.GetFileName(p)).Order(StringComparer.Ordinal));
    }

    private static async Task AnswerRangeAsync(HttpContext context, DateTimeOffset regression)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        string Get(string name) => form?[name].ToString() is { Length: > 0 } value ? value : context.Request.Query[name].ToString();
        if (!context.Request.Path.Value!.EndsWith("/api/v1/query_range", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var query = Get("query");
        var start = Seconds(Get("start"));
        var end = Seconds(Get("end"));
        var step = Seconds(Get("step"));
        var canary = query.Contains("canary", StringComparison.Ordinal);
        var body = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[");
        for (var t = start; t <= end; t += step)
        {
            var value = canary && t >= regression.ToUnixTimeSeconds() ? 0.05 : 0.01;
            body.Append(t == start ? string.Empty : ",").Append('[').Append(t.ToString(CultureInfo.InvariantCulture)).Append(",\"")
                .Append(value.ToString(CultureInfo.InvariantCulture)).Append("\"]");
        }

        body.Append("]}]}}");
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToString());
    }

    private static double Seconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeSeconds();
}
