using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Email.Internal;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.Email.Tests.Infrastructure;

/// <summary>A RollbackKit service provider with the e-mail notifier, fake logging and a journal in a temporary folder.</summary>
internal sealed class EmailTestHost : IAsyncDisposable
{
    public const string Password = "Sm7p-Pa55w0rd-N0t-F0r-L0gs";

    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-email-").FullName;

    public EmailTestHost(Action<EmailOptions> configure, TimeProvider time, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        before?.Invoke(services);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddRollbackKit(o =>
        {
            o.MonitorEnabled = false;
            o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
            o.Workflow.JournalPath = Path.Combine(_dir, "journal.jsonl");
            o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
        }).AddEmail(configure);
        Services = services.BuildServiceProvider();
        Failures = new MetricCollector<long>(Services.GetRequiredService<IMeterFactory>(), "RollbackKit", "rollbackkit.notifications");
    }

    public ServiceProvider Services { get; }

    /// <summary>Every <c>rollbackkit.notifications</c> measurement.</summary>
    public MetricCollector<long> Failures { get; }

    public EmailNotifier Notifier => Services.GetServices<INotifier>().OfType<EmailNotifier>().Single();

    /// <summary>How many e-mail notifications ended with <paramref name="outcome"/>.</summary>
    public int Count(string outcome) => Failures.GetMeasurementSnapshot()
        .Count(m => Equals(m.Tags["notifier"], "email") && Equals(m.Tags["outcome"], outcome));

    /// <summary>All log text (messages, exceptions and values).</summary>
    public string LogText => string.Join("\n", Services.GetFakeLogCollector().GetSnapshot()
        .Select(r => r.Id.Id + " " + r.Message + " " + r.Exception + " " + string.Join(",", r.StructuredState?.Select(kv => kv.Value) ?? [])));

    /// <summary>Journals the audit record the workflow writes when a rollback ends.</summary>
    public async Task CompleteAsync(RollbackState state, string rollbackId = "rb-1", string? evidencePath = null)
    {
        var journal = Services.GetRequiredService<IRollbackJournal>();
        await journal.AppendAsync(new JournalEntry
        {
            Kind = JournalEntryKind.Completed,
            RollbackId = rollbackId,
            TargetId = "payments/checkout",
            Timestamp = TestData.Now,
            EvidencePath = evidencePath,
            Audit = Audit(state, rollbackId),
        });
    }

    public static RollbackAuditRecord Audit(RollbackState state, string rollbackId) => new()
    {
        RollbackId = rollbackId,
        TargetId = "payments/checkout",
        State = state,
        Outcome = state + " outcome",
        RequestedBy = "error-rate-regression",
        Trigger = new TriggerRecord { Type = RollbackTriggerType.MetricTrigger, Reason = "error rate", TriggerName = "error-rate-regression" },
        Execution = new ExecutionRecord
        {
            StartedAt = TestData.Now,
            CompletedAt = TestData.Now.AddSeconds(125),
            Duration = TimeSpan.FromSeconds(125),
            Steps =
            [
                new StepRecord { Index = 0, Name = "undo-rollout", Type = "kubernetes.undo", Succeeded = true, Attempts = 2, Duration = TimeSpan.FromSeconds(12.5) },
                new StepRecord { Index = 1, Name = "check-health", Type = "http", Succeeded = state == RollbackState.RolledBack, Attempts = 1, Duration = TimeSpan.FromSeconds(3), Message = "HTTP 503 <from> upstream" },
            ],
        },
        Verification = new VerificationRecord { Performed = true, Success = state == RollbackState.RolledBack, ChecksPassed = 3, ChecksTotal = 3 },
    };

    /// <summary>A loopback port nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        Failures.Dispose();
        await Services.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
