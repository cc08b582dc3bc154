using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Hosting;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Crash;

/// <summary>
/// Entry point of the test assembly. Run by the test runner it does nothing; run as
/// <c>dotnet RollbackKit.Tests.dll crash-host JOURNAL TYPE ARG...</c> it starts a rollback of <c>app</c> whose one step is
/// of TYPE (<c>command</c> with ARG... as its arguments, or <c>http</c> with ARG as its url) and waits to be killed.
/// </summary>
public static class CrashHostProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 4 || args[0] != "crash-host")
        {
            return 0;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddRollbackKit(options =>
        {
            options.Targets.Add(new TargetDefinition { Id = "app", Labels = new() { ["name"] = "app" } });
            options.Playbook = new PlaybookDefinition { Steps = [CrashTests.Step(args[2], args[3..])] };
            options.Workflow.JournalPath = args[1];
            options.Workflow.EvidenceEnabled = false;
            options.Workflow.ProgressInterval = TimeSpan.Zero;
        });
        await using var provider = services.BuildServiceProvider();
        var result = await provider.GetRequiredService<IRollbackDispatcher>().DispatchAsync(new RollbackRequest
        {
            Target = new RollbackTarget("app", new Dictionary<string, string> { ["name"] = "app" }),
            TriggerType = RollbackTriggerType.MetricTrigger,
            Severity = RollbackSeverity.Critical,
            Reason = "crash test",
        });
        Console.WriteLine($"{result.Status} {result.RollbackId}");
        await Task.Delay(Timeout.Infinite);
        return 1;
    }
}
