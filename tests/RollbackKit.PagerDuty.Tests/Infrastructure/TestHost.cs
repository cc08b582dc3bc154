using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Notifications;
using RollbackKit.PagerDuty.Internal;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.PagerDuty.Tests.Infrastructure;

internal static class TestHost
{
    public static ServiceProvider Build(Action<IRollbackKitBuilder> configure, TimeProvider? time = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time ?? new FakeTimeProvider(TestData.Now));
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        var builder = services.AddRollbackKit(o =>
        {
            o.MonitorEnabled = false;
            o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
            o.Targets.Add(new TargetDefinition { Id = "search/api", Labels = { ["namespace"] = "search", ["name"] = "api" } });
            o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
            // A journal of its own: test classes run in parallel, and two hosts on one file refuse each other at start.
            o.Workflow.JournalPath = Path.Combine(Path.GetTempPath(), "rollbackkit-pagerduty-tests", Guid.NewGuid().ToString("N"), "journal.jsonl");
        });
        configure(builder);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static PagerDutyNotifier PagerDuty(this IServiceProvider sp) =>
        sp.GetServices<INotifier>().OfType<PagerDutyNotifier>().Single();

    public static FakeLogCollector Logs(this IServiceProvider sp) => sp.GetFakeLogCollector();

    /// <summary>All log text (messages and exceptions).</summary>
    public static string AllLogText(this IServiceProvider sp) =>
        string.Join("\n", sp.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + r.Exception + " " + string.Join(",", r.StructuredState?.Select(kv => kv.Value) ?? [])));

    /// <summary>A loopback port nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Advances fake time in steps until <paramref name="done"/> holds (bounded).</summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> done, TimeSpan step, int maxSteps = 400)
    {
        for (var i = 0; i < maxSteps && !done(); i++)
        {
            time.Advance(step);
            await Task.Delay(15);
        }

        Assert.True(done(), "condition not reached while advancing fake time");
    }
}
