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
