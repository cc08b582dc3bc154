using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Slack.Internal;

namespace RollbackKit.Slack.Tests.Infrastructure;

internal static class TestHost
{
    public const string BotToken = "xoxb-111-222-SeCrEtToKeN";
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";

    public static ServiceProvider Build(Action<IRollbackKitBuilder> configure, TimeProvider? time = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time ?? new FakeTimeProvider(TestData.Now));
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddMetrics();
        var builder = services.AddRollbackKit(o =>
        {
            o.MonitorEnabled = false;
            o.Workflow.JournalPath = Path.Combine(Path.GetTempPath(), "rbk-test-" + Guid.NewGuid().ToString("N")[..12], "journal.jsonl");
            o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
            o.Targets.Add(new TargetDefinition { Id = "search/api", Labels = { ["namespace"] = "search", ["name"] = "api" } });
            o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
        });
        configure(builder);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static SlackNotifier Slack(this IServiceProvider sp) =>
        sp.GetServices<Notifications.INotifier>().OfType<SlackNotifier>().Single();

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
