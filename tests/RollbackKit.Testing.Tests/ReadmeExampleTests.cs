using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;

namespace RollbackKit.Testing.Tests;

/// <summary>The example in src/RollbackKit.Testing/README.md: the quickstart's own appsettings.json, tested as it ships.</summary>
public partial class ReadmeExampleTests
{
    [Fact]
    public async Task QuickstartSettings_CanaryRegresses_RolledBackByThePlaybookAndVerified()
    {
        await using var host = RollbackKitTestHost.FromJsonFile("appsettings.json", rollbackKit => rollbackKit
            .AddRecordedSteps("simulated.drain-traffic", "simulated.rollout-undo", "simulated.scale-canary"));
        var rolledBack = false;
        host.RespondToStep("simulated.rollout-undo", _ =>
        {
            rolledBack = true;
            return StepResult.Success("v2 -> v1");
        });
        host.Source.Set("baseline_error_rate", 0.5).Set("baseline_p99_ms", 110).Set("security_events", 0)
            .Use("canary_error_rate", (_, _) => rolledBack ? 0.5 : 5.2)
            .Use("canary_p99_ms", (_, _) => rolledBack ? 120 : 480)
            .Use("canary_success_rate", (_, _) => rolledBack ? 0.999 : 0.91);

        await host.RunAsync(TimeSpan.FromMinutes(1));

        var rollback = Assert.Single(host.Rollbacks);
        Assert.Equal(RollbackState.RolledBack, rollback.State);
        Assert.Equal("success-rate-floor", rollback.Request.RequestedBy); // For 3 s: the first of the four triggers
        Assert.Equal(host.Source.Start + TimeSpan.FromSeconds(3), rollback.Request.Evidence!.DetectedAt);
        Assert.Equal(
            ["drain canary traffic", "undo rollout (v2 -> v1)", "wait for rollout", "scale canary to 0"],
            host.Steps.Select(s => s.Name));
        Assert.Equal("1s", host.Steps[2].Settings["duration"]);
        Assert.Contains(host.Notifications, n => n.Kind == RollbackEventKind.Escalated); // P1: nobody acknowledged within 5 s
        Assert.True(File.Exists(rollback.EvidencePath));
    }

    [Fact]
    public void Readme_ExampleIsThisTest()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "src", "RollbackKit.Testing", "README.md"));
        var test = File.ReadAllText(Path.Combine(Repository.Root, "tests", "RollbackKit.Testing.Tests", "ReadmeExampleTests.cs"));
        var example = CSharpBlocks().Matches(readme).Select(m => m.Groups["code"].Value).Single(c => c.Contains("FromJsonFile", StringComparison.Ordinal));

        Assert.Contains(Whitespace().Replace(example, string.Empty), Whitespace().Replace(test, string.Empty), StringComparison.Ordinal);
    }

    [GeneratedRegex("```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlocks();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
