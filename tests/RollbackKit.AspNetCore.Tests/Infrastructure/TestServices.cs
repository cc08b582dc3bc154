using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace RollbackKit.AspNetCore.Tests.Infrastructure;

/// <summary>A bare service provider with RollbackKit, two targets, a fake clock and fake logging: for handler-level tests without HTTP.</summary>
internal static class TestServices
{
    public static ServiceProvider Build(Action<IRollbackKitBuilder> configure, TimeProvider? time = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time ?? new FakeTimeProvider(WebhookRequests.Now));
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddMetrics();
        var builder = services.AddRollbackKit(o =>
        {
            o.MonitorEnabled = false;
            o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
            o.Targets.Add(new TargetDefinition { Id = "search/api", Labels = { ["namespace"] = "search", ["name"] = "api" } });
            o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
            // A journal of its own: test classes run in parallel, and two hosts on one file refuse each other at start.
            o.Workflow.JournalPath = Path.Combine(Path.GetTempPath(), "rollbackkit-aspnetcore-tests", Guid.NewGuid().ToString("N"), "journal.jsonl");
        });
        configure(builder);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
