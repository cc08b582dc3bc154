using Microsoft.Playwright;
using RollbackKit.Cli.Report;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests;

/// <summary>The report's HTML as written, and as Chromium shows it, for text a configuration could hold.</summary>
public sealed class HtmlReportTests : IDisposable
{
    private const string Chromium = "/usr/lib/chromium/chromium";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Render_EmbedsTheChartLibraryAndItsLicence_NothingLoadedFromElsewhere()
    {
        var html = HtmlReportWriter.Render(SyntheticReport.Create("shop/checkout", "error-rate"));

        Assert.Contains("uPlot", html, StringComparison.Ordinal);
        Assert.Contains("Permission is hereby granted", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html.Replace("\"{{", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_JudgeTrigger_ScoreChartWithPassAndMarginalLinesJudgementTimelineAndAFireMarkerAtTheFire()
    {
        var report = SyntheticReport.WithJudge("shop/checkout", "canary-judge");
        var path = _directory.File("judge.html", HtmlReportWriter.Render(report));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                errors.Add(m.Text);
            }
        };
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready='true']");

        var section = page.Locator("section.judge[data-target='shop/checkout'][data-trigger='canary-judge']");
        Assert.Equal(1, await section.CountAsync());
        Assert.Equal("canary-judge", await section.Locator("h3").TextContentAsync());
        Assert.Equal("judge: latency over 5m every 1m, pass 95, marginal 75", await section.Locator("p code").TextContentAsync());
        Assert.Equal(1, await section.Locator(".uplot").CountAsync());
        Assert.Equal(["score", "pass", "marginal"], (await section.Locator(".u-legend .u-series .u-label").AllTextContentsAsync()).Skip(1));

        // The fire: a marker at 23 of 40 minutes along the x axis, a decision pill, the list entry and the fires table row.
        var marker = section.Locator(".fire-marker[data-at='2026-11-30T10:23:00Z']");
        Assert.Equal(1, await marker.CountAsync());
        var plot = (await section.Locator(".u-over").BoundingBoxAsync())!;
        var box = (await marker.BoundingBoxAsync())!;
        Assert.InRange((box.X - plot.X) / plot.Width, (23 / 40.0) - 0.01, (23 / 40.0) + 0.01);
        Assert.Equal(["Started"], await section.Locator(".timeline .decision").AllTextContentsAsync());
        Assert.Contains("fired at 2026-11-30T10:23:00Z", await section.Locator("ul.fires").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("canary-judge", await page.Locator("#fires tbody tr").TextContentAsync(), StringComparison.Ordinal);

        // The judgement timeline: one band per run of the same state, in order.
        Assert.Equal(["pass", "marginal", "fail", "error", "no-data", "fail"], await section.Locator(".timeline .band").EvaluateAllAsync<string[]>("bands => bands.map(b => b.dataset.state)"));
        Assert.Contains("Judgement:", await section.Locator(".state-legend").TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Render_MarkupInTargetAndTriggerNames_IsShownAsTextAndNeverRuns()
    {
        const string target = "shop/<img src=x onerror=\"window.pwned=1\">";
        const string trigger = "</script><script>window.pwned=2</script>";
        var path = _directory.File("report.html", HtmlReportWriter.Render(SyntheticReport.Create(target, trigger, "a < b & c > \"d\"")));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Dialog += (_, d) => errors.Add("dialog: " + d.Message);
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready='true']");

        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Equal(target, await page.Locator("h2 code").First.TextContentAsync());
        Assert.Equal(trigger, await page.Locator("section.trigger h3").TextContentAsync());
        Assert.Equal("a < b & c > \"d\"", await page.Locator("section.trigger p code").TextContentAsync());
        Assert.Equal(1, await page.Locator(".uplot").CountAsync());
        Assert.Equal(1, await page.Locator(".fire-marker[data-at='2026-11-30T10:03:30Z']").CountAsync());
        Assert.Empty(errors);
    }
}
