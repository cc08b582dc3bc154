using System.Text.RegularExpressions;

namespace RollbackKit.Architecture.Tests;

/// <summary>
/// Data flows one way through the core: sources → engine → monitor → dispatcher → workflow → steps, notifiers and
/// journal. A folder never imports a folder that comes after it in the flow.
/// </summary>
public sealed partial class DependencyTests
{
    /// <summary>For each core folder, the core namespaces its files must not import.</summary>
    public static TheoryData<string, string[]> Rules => new()
    {
        { "Metrics", ["Engine", "Monitoring", "Verification", "Dispatch", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting", "Judging"] },
        { "Conditions", ["Engine", "Monitoring", "Verification", "Dispatch", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Triggers", ["Engine", "Monitoring", "Verification", "Dispatch", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Engine", ["Monitoring", "Verification", "Dispatch", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Monitoring", ["Verification", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Verification", ["Monitoring", "Dispatch", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Dispatch", ["Monitoring", "Verification", "Hosting", "Backtesting"] },
        { "Approval", ["Monitoring", "Verification", "Dispatch", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Workflow", ["Monitoring", "Hosting", "Backtesting"] },
        { "Playbooks", ["Monitoring", "Verification", "Dispatch", "Approval", "Workflow", "Journal", "Notifications", "Hosting", "Backtesting"] },
        { "Journal", ["Monitoring", "Verification", "Dispatch", "Workflow", "Playbooks", "Hosting", "Backtesting"] },
        { "Notifications", ["Monitoring", "Verification", "Dispatch", "Workflow", "Playbooks", "Journal", "Hosting", "Backtesting"] },
        { "Backtesting", ["Verification", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting"] },

        // The canary judge sits beside the monitor: sources in, requests to the dispatcher out; the backtest replays it.
        { "Judging", ["Monitoring", "Verification", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting"] },

        // Target-to-shard hashing is vocabulary every part may read; it reads none of them.
        { "Sharding", ["Metrics", "Conditions", "Triggers", "Engine", "Monitoring", "Verification", "Dispatch", "Approval", "Workflow", "Playbooks", "Journal", "Notifications", "Hosting", "Backtesting", "Judging", "Groups"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void CoreFolder_DoesNotImportLaterParts(string folder, string[] forbidden)
    {
        var directory = Path.Combine(Packages.RepositoryRoot, "src", "RollbackKit", folder);
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);

        var offenders = files
            .SelectMany(f => UsingPattern().Matches(File.ReadAllText(f))
                .Select(m => (File: Path.GetFileName(f), Namespace: m.Groups[1].Value)))
            .Where(u => forbidden.Contains(u.Namespace))
            .Select(u => $"{folder}/{u.File} imports RollbackKit.{u.Namespace}")
            .ToList();

        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+RollbackKit\.([A-Za-z]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingPattern();
}
