using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.PagerDuty.Tests.Infrastructure;
using RollbackKit.Playbooks;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.PagerDuty.Tests.Restart;

/// <summary>A rollback stopped mid-step by a host shutdown and resumed by a new host on the same journal resolves the incident it opened.</summary>
public sealed class PagerDutyResumeTests : IAsyncLifetime
{
    private const string RoutingKey = "R0UT1NGKEYSECRET0000000000000000";
    private static readonly TimeSpan AcknowledgementTimeout = TimeSpan.FromMinutes(7);
    private readonly string _dir = Directory.CreateTempSubdirectory("rbk-pd-resume-").FullName;
    private LoopbackReceiver _pagerDuty = null!;

    private string JournalPath => Path.Combine(_dir, "journal.jsonl");

    public async Task InitializeAsync() => _pagerDuty = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _pagerDuty.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ServiceProvider Host(GatedStep step, FakeTimeProvider time) => TestHost.Build(
        b => b.AddPagerDuty(o =>
        {
            o.RoutingKey = RoutingKey;
            o.EventsApiBaseUrl = _pagerDuty.BaseUrl;
        }),
        time,
        s =>
        {
            s.AddSingleton<IPlaybookStepFactory>(step);
            s.PostConfigure<RollbackKitOptions>(o =>
            {
                GatedStep.Configure(o, JournalPath);
                o.Workflow.AcknowledgementTimeout = AcknowledgementTimeout;
            });
        });

    [Fact]
    public async Task Resume_HostStoppedMidStep_ResumedRunResolvesTheIncidentItOpened()
    {
        var step = new GatedStep();
        string rollbackId;
        string dedupKey;
        var time = new ObservableFakeTimeProvider(TestData.Now);
        await using (var first = Host(step, time))
        {
            Assert.True(first.GetRequiredService<IRollbackTargetCatalog>().TryGet("payments/checkout", out var target));

            // A P1 nobody acknowledges: it proceeds and escalates, which opens the incident; the playbook then stops mid-step.
            var result = await first.GetRequiredService<IRollbackDispatcher>().DispatchAsync(TestData.Request(target, RollbackSeverity.High));
            Assert.Equal(DispatchStatus.Started, result.Status);
            rollbackId = result.RollbackId!;
            await time.AdvanceWhenWaitingAsync(AcknowledgementTimeout);
            await step.Entered.Task.WaitAsync(ObservableFakeTimeProvider.WaitLimit);
            var trigger = Assert.Single(await _pagerDuty.WaitForAsync(1)).Json;
            Assert.Equal("trigger", trigger.GetProperty("event_action").GetString());
            dedupKey = trigger.GetProperty("dedup_key").GetString()!;
        }

        Assert.Contains("\"kind\":\"NotifierState\"", await File.ReadAllTextAsync(JournalPath), StringComparison.Ordinal);

        step.Block = false;
        await using var second = Host(step, new FakeTimeProvider(time.GetUtcNow()));
        foreach (var service in second.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        var status = await second.GetRequiredService<IRollbackController>().WaitForCompletionAsync(rollbackId).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.True(status.Resumed);
        Assert.Equal(2, step.Runs);

        var requests = await _pagerDuty.WaitForAsync(2);
        Assert.Equal(2, requests.Count);
        Assert.Equal("resolve", requests[1].Json.GetProperty("event_action").GetString());
        Assert.Equal(dedupKey, requests[1].Json.GetProperty("dedup_key").GetString());
    }
}
