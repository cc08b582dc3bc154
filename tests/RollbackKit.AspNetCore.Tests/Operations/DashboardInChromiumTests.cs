using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using RollbackKit.Operations;

namespace RollbackKit.AspNetCore.Tests.Operations;

/// <summary>
/// The dashboard served by <c>MapRollbackKitApi()</c> on Kestrel (127.0.0.1), opened in real headless Chromium (Debian's
/// <c>chromium</c>, driven by Playwright with <c>ExecutablePath</c>; no browser download).
/// </summary>
public sealed class DashboardInChromiumTests
{
    /// <summary>The real binary; /usr/bin/chromium is a wrapper script.</summary>
    private const string Chromium = "/usr/lib/chromium/chromium";

    [Fact]
    public async Task Dashboard_ShowsTheActiveRollbackWithItsProgress_WithoutConsoleErrors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run `bash eng/install-test-deps.sh` (Debian package chromium).");
        await using var host = await OperatorApiHost.StartAsync(kestrel: true);
        using var alice = host.As("alice");
        using var started = await alice.PostAsJsonAsync(
            "rollbackkit/rollbacks",
            new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "<b>5xx</b> after release 4.2" },
            OperatorJson.Options);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<ManualRollbackResponse>(OperatorJson.Options))!.RollbackId;
        await OperatorApiHost.WaitUntilAsync(() => host.Controller.GetActiveRollbacks().Any(r => r.State == RollbackState.RollingBack), "the run is in its playbook");
        host.Time.Advance(TimeSpan.FromSeconds(20));

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var context = await browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 1200, Height = 800 },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer alice" },
        });
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
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(host.Address!.AbsoluteUri, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                problems.Add("external request: " + request.Url);
            }
        };

        var response = await page.GotoAsync(new Uri(host.Address!, "rollbackkit/dashboard").AbsoluteUri);
        Assert.Equal(200, response!.Status);
        await page.WaitForSelectorAsync("body[data-ready='true']");
        var run = page.Locator($".run[data-rollback-id='{id}']");
        await run.WaitForAsync(new() { Timeout = 30_000 });

        Assert.Equal("RollingBack", await run.Locator(".phase").TextContentAsync());
        Assert.Equal(OperatorApiHost.Checkout, await run.Locator(".target").TextContentAsync());
        Assert.Contains("0 / 2 steps", await run.Locator(".steps-text").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("running drain traffic (step 1)", await run.Locator(".steps-text").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("20 s of", await run.Locator(".elapsed-text").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await run.Locator("[role='progressbar']").CountAsync());

        // Values are text, never markup.
        Assert.Contains("<b>5xx</b> after release 4.2", await run.Locator(".cause").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await run.Locator(".cause b").CountAsync());
        Assert.Equal(2, await page.Locator("#targets tbody tr").CountAsync());
        Assert.Equal("automatic rollback ON", await page.Locator("#auto").TextContentAsync());

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
        if (Environment.GetEnvironmentVariable("ROLLBACKKIT_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            File.Copy(screenshot, Path.Combine(RepositoryRoot(), "docs", "images", "dashboard.png"), overwrite: true);
        }

        // Once the step is released the run finishes and the page moves it to the history on its next poll.
        host.ReleaseStep();
        await host.Controller.WaitForCompletionAsync(id).WaitAsync(OperatorApiHost.WaitLimit);
        await page.Locator($"#history tr[data-rollback-id='{id}']").WaitForAsync(new() { Timeout = 30_000 });
        Assert.Equal(0, await run.CountAsync());

        Assert.True(problems.Count == 0, string.Join("\n", problems));
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
}
