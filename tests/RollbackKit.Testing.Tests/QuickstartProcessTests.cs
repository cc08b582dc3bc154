using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RollbackKit.Testing.Tests;

/// <summary>
/// Runs samples/RollbackKit.Quickstart as a real process, twice in the same directory (so the second run shares the first's
/// journal): the first rolls back and prints the triggers that fired with their measured values and an evidence bundle that
/// exists; the second, inside the cooldown, prints why nothing happened.
/// </summary>
public sealed partial class QuickstartProcessTests : IDisposable
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(3);
    private readonly string _directory = Directory.CreateTempSubdirectory("rollbackkit-quickstart-").FullName;

    [Fact]
    public async Task Quickstart_RunTwice_FirstRollsBackWithEvidenceSecondPrintsTheCooldownRefusal()
    {
        var first = await RunQuickstartAsync();

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Outcome: RolledBack", first.Output, StringComparison.Ordinal);
        // success-rate-floor (For 3 s) usually starts the run and the For 4 s triggers join it; when the regression lands
        // just before a tick all fire on the same tick and the first in the list starts it. Either way: one run, one start.
        var successRate = FiredSuccessRate().Match(first.Output);
        var errorRate = FiredErrorRate().Match(first.Output);
        Assert.True(successRate.Success && errorRate.Success, first.Output);
        Assert.Equal(successRate.Groups["run"].Value, errorRate.Groups["run"].Value);
        // Each fired trigger is printed live and again in the summary: one trigger started the run, every answer names it.
        var answers = Regex.Matches(first.Output, @"(?<trigger>[\w-]+) \([^)]*\): [^\n]* -> (?<answer>started|joined) (?<run>rb-\S+)");
        Assert.Single(answers.Select(static m => m.Groups["run"].Value).Distinct());
        Assert.Single(answers.Where(static m => m.Groups["answer"].Value == "started").Select(static m => m.Groups["trigger"].Value).Distinct());
        var evidence = EvidenceLine().Match(first.Output);
        Assert.True(evidence.Success, first.Output);
        Assert.True(File.Exists(evidence.Groups["path"].Value), evidence.Value);
        Assert.StartsWith(_directory, evidence.Groups["path"].Value, StringComparison.Ordinal);

        var second = await RunQuickstartAsync();

        Assert.True(second.ExitCode == 1, second.Output);
        Assert.Matches(CooldownRefusal(), second.Output);
        Assert.DoesNotContain("Outcome:", second.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs the sample from its own output directory, in <see cref="_directory"/>, the canary regressing after 1 s.</summary>
    private async Task<(int ExitCode, string Output)> RunQuickstartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(QuickstartAssembly());
        start.ArgumentList.Add("1");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(RunLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>samples/RollbackKit.Quickstart/bin/{Configuration}/{TargetFramework}/RollbackKit.Quickstart.dll, built with this project.</summary>
    private static string QuickstartAssembly()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var path = Path.Combine(Repository.Root, "samples", "RollbackKit.Quickstart", "bin", configuration, framework, "RollbackKit.Quickstart.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The quickstart is not built.", path);
    }

    [GeneratedRegex(@"success-rate-floor \(canary_success_rate < 95%\): canary_success_rate 0\.91 -> (started|joined) (?<run>rb-\S+)")]
    private static partial Regex FiredSuccessRate();

    [GeneratedRegex(@"error-rate-regression \(canary_error_rate > baseline_error_rate \* 1\.5\): canary_error_rate 5\.2, baseline_error_rate 0\.5 -> (started|joined) (?<run>rb-\S+)")]
    private static partial Regex FiredErrorRate();

    [GeneratedRegex(@"^Evidence bundle: (?<path>/\S+\.zip) \([\d,]+ bytes\)$", RegexOptions.Multiline)]
    private static partial Regex EvidenceLine();

    [GeneratedRegex(@"No rollback happened: refused: .*cooldown of .+ has .+ left")]
    private static partial Regex CooldownRefusal();
}
