using System.Globalization;
using Microsoft.Playwright;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests;

/// <summary>
/// The HTML report of the recorded incident opened in real headless Chromium (Debian's <c>chromium</c>, driven by
/// Playwright with <c>ExecutablePath</c>; no browser download).
/// </summary>
[Collection(IncidentBacktestGroup.Name)]
public sealed class ReportInChromiumTests(IncidentBacktest incident)
{
    /// <summary>The real binary; /usr/bin/chromium is a wrapper script.</summary>
    private const string Chromium = "/usr/lib/chromium/chromium";

    [Fact]
    public async Task Report_OpensOfflineWithOneChartPerTriggerAndAFireMarkerAtEachFire()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run `bash eng/install-test-deps.sh` (Debian package chromium).");
        Assert.True(File.Exists(incident.HtmlPath), incident.Run.ToString());
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 }, Offline = true });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.RequestFailed += (_, request) => problems.Add("request failed: " + request.Url);

        await page.GotoAsync(new Uri(incident.HtmlPath).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready='true']");

        // One chart per target × trigger.
        Assert.Equal(4, await page.Locator("section.trigger").CountAsync());
        Assert.Equal(4, await page.Locator("section.trigger .uplot").CountAsync());

        // Every fire in the JSON has a marker on its trigger's chart, at its time on the x axis.
        var fires = incident.Json.RootElement.GetProperty("fires").EnumerateArray().ToList();
        Assert.NotEmpty(fires);
        var span = (incident.To - incident.From).TotalSeconds;
        foreach (var fire in fires)
        {
            var at = fire.GetProperty("at").GetString()!;
            var section = page.Locator($"section.trigger[data-target='{fire.GetProperty("target").GetString()}'][data-trigger='{fire.GetProperty("trigger").GetString()}']");
            var marker = section.Locator($".fire-marker[data-at='{at}']");
            Assert.Equal(1, await marker.CountAsync());
            var plot = (await section.Locator(".u-over").BoundingBoxAsync())!;
            var box = (await marker.BoundingBoxAsync())!;
            var expected = (DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) - incident.From).TotalSeconds / span;
            var actual = (box.X - plot.X) / plot.Width;
            Assert.InRange(actual, expected - 0.01, expected + 0.01);
            Assert.Contains(fire.GetProperty("decision").GetString()!, await marker.GetAttributeAsync("title") ?? string.Empty, StringComparison.Ordinal);
        }

        // Breach shading and the decision timeline are there for the trigger that fired.
        var errorRate = page.Locator("section.trigger[data-target='shop/checkout'][data-trigger='error-rate']");
        Assert.True(await errorRate.Locator(".timeline .band[data-state='fired']").CountAsync() > 0);
        Assert.Equal(1, await errorRate.Locator(".timeline .decision").CountAsync());
        Assert.Equal(fires.Count, await page.Locator("#fires tbody tr").CountAsync());

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "backtest-report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
        if (Environment.GetEnvironmentVariable("ROLLBACKKIT_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            File.Copy(screenshot, Path.Combine(Repository.Root, "docs", "images", "backtest-report.png"), overwrite: true);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Report_ShowsUserTextAsText()
    {
        var html = await File.ReadAllTextAsync(incident.HtmlPath);

        // Only the report's own scripts: the embedded data cannot close its script element.
        Assert.Equal(3, html.Split("<script", StringSplitOptions.None).Length - 1);
        Assert.Contains("shop/checkout", html, StringComparison.Ordinal);
        Assert.Contains("canary_error_rate &gt; stable_error_rate * 2", html, StringComparison.Ordinal);
    }
}
