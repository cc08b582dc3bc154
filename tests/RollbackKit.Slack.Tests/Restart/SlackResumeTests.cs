using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Playbooks;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Slack.Tests.Restart;

/// <summary>A rollback stopped mid-step by a host shutdown and resumed by a new host on the same journal keeps its Slack thread.</summary>
public sealed class SlackResumeTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rbk-slack-resume-").FullName;
    private LoopbackReceiver _slack = null!;

    private string JournalPath => Path.Combine(_dir, "journal.jsonl");

    public async Task InitializeAsync() => _slack = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ServiceProvider Host(GatedStep step) => TestHost.Build(
        b => b.AddSlack(o =>
        {
            o.BotToken = TestHost.BotToken;
            o.ApiBaseUrl = _slack.Url("api/");
            o.Channel = "#mrp-rollback";
            o.MinimumMessageInterval = TimeSpan.Zero;
        }),
        new FakeTimeProvider(TestData.Now),
        s =>
        {
            s.AddSingleton<IPlaybookStepFactory>(step);
            s.PostConfigure<RollbackKitOptions>(o => GatedStep.Configure(o, JournalPath));
        });

    [Fact]
    public async Task Resume_HostStoppedMidStep_ResumedRunPostsInTheSameThread()
    {
        var step = new GatedStep();
        string rollbackId;
        string threadTs;
        await using (var first = Host(step))
        {
            Assert.True(first.GetRequiredService<IRollbackTargetCatalog>().TryGet("payments/checkout", out var target));
            var result = await first.GetRequiredService<IRollbackDispatcher>().DispatchAsync(TestData.Request(target, RollbackSeverity.Critical));
            Assert.Equal(DispatchStatus.Started, result.Status);
            rollbackId = result.RollbackId!;
            await step.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

            // The thread's root ("triggered") and the "started" reply in it; the second shows the thread was recorded.
            var posts = await _slack.WaitForAsync(2);
            Assert.False(posts[0].Json.TryGetProperty("thread_ts", out _));
            threadTs = posts[1].Json.GetProperty("thread_ts").GetString()!;
        }

        var before = _slack.Requests.Count;
        Assert.Contains("\"kind\":\"NotifierState\"", await File.ReadAllTextAsync(JournalPath), StringComparison.Ordinal);

        step.Block = false;
        await using var second = Host(step);
        foreach (var service in second.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        var status = await second.GetRequiredService<IRollbackController>().WaitForCompletionAsync(rollbackId).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.True(status.Resumed);
        Assert.Equal(2, step.Runs);

        static bool IsSuccess(ReceivedRequest r) => r.Path.EndsWith("chat.postMessage", StringComparison.Ordinal) && r.BodyText.Contains("Rollback succeeded", StringComparison.Ordinal);
        await _slack.WaitForAsync(r => r.Skip(before).Any(IsSuccess));
        var resumed = _slack.Requests.Skip(before).Where(r => r.Path.EndsWith("chat.postMessage", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(resumed);
        Assert.All(resumed, r => Assert.Equal(threadTs, r.Json.GetProperty("thread_ts").GetString()));
        Assert.All(resumed, r => Assert.Equal("#mrp-rollback", r.Json.GetProperty("channel").GetString()));
    }
}
