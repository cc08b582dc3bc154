using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Email.Tests.Infrastructure;
using RollbackKit.Playbooks;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Testing;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Email.Tests;

/// <summary>A real rollback through the workflow, on the real clock, mailed to the real SMTP server.</summary>
public sealed class EmailEndToEndTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-email-e2e-").FullName;
    private readonly RecordingPlaybookStep _step = new("recording");
    private SmtpSink _sink = null!;

    public async Task InitializeAsync() => _sink = await SmtpSink.StartAsync();

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private IHost Build(int smtpPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddFakeLogging();
        builder.Services.AddSingleton<IPlaybookStepFactory>(_step);
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
                o.Playbook = new PlaybookDefinition
                {
                    Steps =
                    [
                        new PlaybookStepDefinition { Type = "recording", Name = "undo-rollout" },
                        new PlaybookStepDefinition { Type = "recording", Name = "scale-canary-down" },
                    ],
                };
                o.Workflow.JournalPath = Path.Combine(_dir, "journal.jsonl");
                o.Workflow.EvidenceDirectory = Path.Combine(_dir, "evidence");
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddEmail(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = smtpPort;
                o.Security = EmailSecurity.None;
                o.From = "rollbackkit@example.com";
                o.To.Add("oncall@example.com");
            });
        return builder.Build();
    }

    private static async Task<RollbackStatus> RollBackAsync(IHost host)
    {
        Assert.True(host.Services.GetRequiredService<IRollbackTargetCatalog>().TryGet("payments/checkout", out var target));
        var result = await host.Services.GetRequiredService<IRollbackDispatcher>().DispatchAsync(TestData.Request(target, RollbackSeverity.Critical));
        Assert.Equal(DispatchStatus.Started, result.Status);
        return await host.Services.GetRequiredService<IRollbackController>().WaitForCompletionAsync(result.RollbackId!).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task CriticalTrigger_RolledBack_MailsTheSummaryWithStepsAndTheEvidenceBundle()
    {
        using var host = Build(_sink.Port);
        await host.StartAsync();

        var status = await RollBackAsync(host);
        var mail = await _sink.NextAsync();
        await host.StopAsync();

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal("[RollbackKit] Rolled back: payments/checkout", mail.Message.Subject);
        Assert.Equal(status.RollbackId, mail.Message.Headers["X-RollbackKit-Rollback-Id"]);
        Assert.Contains("canary_error_rate = 5.2", mail.Text, StringComparison.Ordinal);
        Assert.Contains("1. undo-rollout (recording): succeeded", mail.Text, StringComparison.Ordinal);
        Assert.Contains("2. scale-canary-down (recording): succeeded", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<li>undo-rollout (recording): succeeded", mail.Html, StringComparison.Ordinal);
        Assert.NotNull(status.EvidencePath);
        Assert.True(File.Exists(status.EvidencePath));
        Assert.Contains(status.EvidencePath, mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmtpServerDown_RollbackStillRolledBackAndTheFailureIsCounted()
    {
        using var host = Build(EmailTestHost.ClosedPort());
        using var notifications = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "RollbackKit", "rollbackkit.notifications");
        await host.StartAsync();

        var status = await RollBackAsync(host);
        await notifications.WaitForMeasurementsAsync(1).WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(2, _step.ExecutionCount);
        var measurement = Assert.Single(notifications.GetMeasurementSnapshot());
        Assert.Equal("email", measurement.Tags["notifier"]);
        Assert.Equal("failed", measurement.Tags["outcome"]);
        var logged = host.Services.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Id is >= 8000 and < 9000);
        Assert.Equal(8002, logged.Id.Id); // Refused at once: not a timeout, not cancelled by the workflow.
    }
}
