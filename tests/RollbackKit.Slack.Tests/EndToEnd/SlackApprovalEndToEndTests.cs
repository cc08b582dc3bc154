using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RollbackKit.Dispatch;
using RollbackKit.Playbooks;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Tests.EndToEnd;

public sealed class SlackApprovalEndToEndTests : IAsyncLifetime
{
    private LoopbackReceiver _slack = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private readonly RecordingPlaybookStep _step = new("recording");

    public async Task InitializeAsync()
    {
        _slack = await LoopbackReceiver.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<MiniWorkflow>();
        builder.Services.AddSingleton<IRollbackDispatcher>(sp => sp.GetRequiredService<MiniWorkflow>());
        builder.Services.AddSingleton<IApprovalGate>(sp => sp.GetRequiredService<MiniWorkflow>());
        builder.Services.AddSingleton<IPlaybookStep>(_step);
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
            })
            .AddSlack(o =>
            {
                o.BotToken = TestHost.BotToken;
                o.ApiBaseUrl = _slack.Url("api/");
                o.Channel = "#mrp-rollback";
                o.SigningSecret = TestHost.SigningSecret;
                o.Approvers.Add("U2CERLKJA");
                o.ResponseUrlHosts.Add("127.0.0.1");
                o.MinimumMessageInterval = TimeSpan.FromMilliseconds(50); // Real clock here; keep the test quick.
            });
        _app = builder.Build();
        _app.MapRollbackKitWebhooks();
        await _app.StartAsync();
        var address = ((IServer)_app.Services.GetService(typeof(IServer))!).Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address + "/") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task P1Trigger_ApprovedFromSlack_RunsThePlaybookAndReportsCompletionInTheThread()
    {
        var dispatcher = _app.Services.GetRequiredService<IRollbackDispatcher>();
        var catalog = _app.Services.GetRequiredService<IRollbackTargetCatalog>();
        Assert.True(catalog.TryGet("payments/checkout", out var target));

        // 1. A P1 trigger fires.
        var result = await dispatcher.DispatchAsync(TestData.Request(target, RollbackSeverity.High));
        Assert.Equal(DispatchStatus.Started, result.Status);

        // 2. Slack receives the fired message and the approval message with buttons, in one thread.
        var messages = await _slack.WaitForAsync(2);
        var fired = messages[0].Json;
        var approval = messages[1].Json;
        BlockKitAssert.ValidMessage(fired);
        var blocks = BlockKitAssert.ValidMessage(approval);
        var threadTs = approval.GetProperty("thread_ts").GetString();
        Assert.False(string.IsNullOrEmpty(threadTs));
        var approve = blocks.Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements").EnumerateArray()
            .Single(e => e.GetProperty("action_id").GetString() == "rollbackkit_approve");
        Assert.Equal(0, _step.ExecutionCount);

        // 3. The approver clicks Approve: Slack posts a signed interaction to the endpoint.
        var payload = SlackRequests.BlockActions("U2CERLKJA", "rollbackkit_approve", approve.GetProperty("value").GetString()!, _slack.Url("actions/T1/1/resp"), approval);
        var body = SlackRequests.FormBody(payload);
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        foreach (var (k, v) in SlackRequests.Headers(body, TimeProvider.System.GetUtcNow()))
        {
            content.Headers.TryAddWithoutValidation(k, v);
        }

        using var response = await _client.PostAsync("rollbackkit/slack", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // 4. The rollback runs and the thread shows who approved, the start and the completion.
        await _app.Services.GetRequiredService<MiniWorkflow>().Running!.WaitAsync(TimeSpan.FromSeconds(30));
        var all = await _slack.WaitForAsync(5);
        Assert.Equal(1, _step.ExecutionCount);
        var update = Assert.Single(all, r => r.Path == "/actions/T1/1/resp").Json;
        Assert.Contains("Approved by <@U2CERLKJA>", BlockKitAssert.AllText(update), StringComparison.Ordinal);
        var posts = all.Where(r => r.Path == "/api/chat.postMessage").Select(r => r.Json).ToArray();
        Assert.Equal(4, posts.Length);
        Assert.All(posts.Skip(1), p => Assert.Equal(threadTs, p.GetProperty("thread_ts").GetString()));
        Assert.Contains("Rollback started", posts[2].GetProperty("text").GetString(), StringComparison.Ordinal);
        var done = posts[3];
        BlockKitAssert.ValidMessage(done);
        Assert.Contains("Rollback succeeded", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("Healthy: error rate 0.1/min", BlockKitAssert.AllText(done), StringComparison.Ordinal);
    }
}
