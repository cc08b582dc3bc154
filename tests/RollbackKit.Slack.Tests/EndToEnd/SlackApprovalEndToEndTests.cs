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
    private const string PagerDutySecret = "pd-webhook-secret";
    private readonly RecordingPlaybookStep _step = new("recording");
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-slack-e2e-").FullName;

    public async Task InitializeAsync()
    {
        _slack = await LoopbackReceiver.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IPlaybookStepFactory>(_step);
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
                o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "recording", Name = "undo-rollout" }] };
                o.Workflow.JournalPath = Path.Combine(_dir, "journal.jsonl");
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
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
            })
            .AddPagerDuty(o =>
            {
                o.WebhookSecrets.Add(PagerDutySecret);
                o.ServiceTargets["PSVC01"] = "payments/checkout";
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
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(JsonElement Approval, string ThreadTs)> ApprovalMessageAsync()
    {
        static bool IsApproval(ReceivedRequest x) => x.Json.GetProperty("text").GetString()!.Contains("awaiting approval", StringComparison.Ordinal);
        var approval = (await _slack.WaitForAsync(r => r.Any(IsApproval))).Single(IsApproval).Json;
        var first = _slack.Requests[0].Json;
        BlockKitAssert.ValidMessage(first);
        Assert.Contains("Rollback triggered", first.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(first.TryGetProperty("thread_ts", out _));
        BlockKitAssert.ValidMessage(approval);
        return (approval, approval.GetProperty("thread_ts").GetString()!);
    }

    private async Task<HttpResponseMessage> ClickAsync(JsonElement approval, string actionId, string userId = "U2CERLKJA")
    {
        var button = approval.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "actions")
            .GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("action_id").GetString() == actionId);
        var payload = SlackRequests.BlockActions(userId, actionId, button.GetProperty("value").GetString()!, _slack.Url("actions/T1/1/resp"), approval);
        var body = SlackRequests.FormBody(payload);
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        foreach (var (k, v) in SlackRequests.Headers(body, TimeProvider.System.GetUtcNow()))
        {
            content.Headers.TryAddWithoutValidation(k, v);
        }

        return await _client.PostAsync("rollbackkit/slack", content);
    }

    [Fact]
    public async Task P1Trigger_ApprovedFromSlack_RunsThePlaybookAndReportsCompletionInTheThread()
    {
        var dispatcher = _app.Services.GetRequiredService<IRollbackDispatcher>();
        var controller = _app.Services.GetRequiredService<Workflow.IRollbackController>();
        Assert.True(_app.Services.GetRequiredService<IRollbackTargetCatalog>().TryGet("payments/checkout", out var target));

        // 1. A P1 trigger fires.
        var result = await dispatcher.DispatchAsync(TestData.Request(target, RollbackSeverity.High));
        Assert.Equal(DispatchStatus.Started, result.Status);

        // 2. Slack receives the fired message, then the approval message with buttons in its thread.
        var (approval, threadTs) = await ApprovalMessageAsync();
        Assert.Equal(0, _step.ExecutionCount);

        // 3. The approver clicks Approve: Slack posts a signed interaction to the endpoint.
        using (var response = await ClickAsync(approval, "rollbackkit_approve"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // 4. The rollback runs and the thread shows who approved, the start and the completion.
        var status = await controller.WaitForCompletionAsync(result.RollbackId!).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(1, _step.ExecutionCount);
        await _slack.WaitForAsync(r => r.Any(x => x.Path == "/api/chat.postMessage" && x.Json.GetProperty("text").GetString()!.Contains("Rollback succeeded", StringComparison.Ordinal)));
        var update = (await _slack.WaitForAsync(r => r.Any(x => x.Path == "/actions/T1/1/resp"))).Single(r => r.Path == "/actions/T1/1/resp").Json;
        Assert.Contains("Approved by <@U2CERLKJA>", BlockKitAssert.AllText(update), StringComparison.Ordinal);
        var posts = _slack.Requests.Where(r => r.Path == "/api/chat.postMessage").Select(r => r.Json).ToArray();
        Assert.All(posts.Skip(1), p => Assert.Equal(threadTs, p.GetProperty("thread_ts").GetString()));
        Assert.Contains(posts, p => p.GetProperty("text").GetString()!.Contains("Rollback started", StringComparison.Ordinal));
        var done = posts.Last(p => p.GetProperty("text").GetString()!.Contains("Rollback succeeded", StringComparison.Ordinal));
        BlockKitAssert.ValidMessage(done);
        Assert.Contains("*Duration*", BlockKitAssert.AllText(done), StringComparison.Ordinal);
    }

    [Fact]
    public async Task P1Trigger_HeldFromSlack_DoesNotRollBackAndTheThreadSaysWhoHeld()
    {
        var dispatcher = _app.Services.GetRequiredService<IRollbackDispatcher>();
        var controller = _app.Services.GetRequiredService<Workflow.IRollbackController>();
        Assert.True(_app.Services.GetRequiredService<IRollbackTargetCatalog>().TryGet("payments/checkout", out var target));
        var result = await dispatcher.DispatchAsync(TestData.Request(target, RollbackSeverity.High));
        var (approval, threadTs) = await ApprovalMessageAsync();

        using (var refused = await ClickAsync(approval, "rollbackkit_approve", userId: "U0INTRUDER"))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        var ephemeral = (await _slack.WaitForAsync(r => r.Any(x => x.Path == "/actions/T1/1/resp"))).Single(r => r.Path == "/actions/T1/1/resp").Json;
        Assert.Equal("ephemeral", ephemeral.GetProperty("response_type").GetString());
        Assert.Equal(RollbackState.AwaitingApproval, controller.GetStatus("payments/checkout")?.State);

        using (var response = await ClickAsync(approval, "rollbackkit_hold"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var status = await controller.WaitForCompletionAsync(result.RollbackId!).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, _step.ExecutionCount);
        Assert.Equal(RollbackState.Rejected, status.State);
        var held = (await _slack.WaitForAsync(r => r.Any(x => x.Path == "/api/chat.postMessage" && x.Json.GetProperty("text").GetString()!.Contains("Rollback held", StringComparison.Ordinal))))
            .Last(x => x.Path == "/api/chat.postMessage").Json;
        Assert.Equal(threadTs, held.GetProperty("thread_ts").GetString());
    }

    [Fact]
    public async Task PagerDutyP0Incident_RollsBackAtOnceOncePerIncidentAndSlackShowsTheThread()
    {
        const string Body = """{"event":{"id":"e1","event_type":"incident.triggered","resource_type":"incident","data":{"id":"QINC42","type":"incident","title":"Checkout down","service":{"id":"PSVC01","type":"service_reference"},"priority":{"summary":"P0","type":"priority_reference"}}}}""";
        var signature = "v1=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(PagerDutySecret), Encoding.UTF8.GetBytes(Body)));

        async Task<JsonElement> PostAsync()
        {
            using var content = new StringContent(Body, Encoding.UTF8, "application/json");
            content.Headers.TryAddWithoutValidation("X-PagerDuty-Signature", signature);
            using var response = await _client.PostAsync("rollbackkit/pagerduty", content);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        var first = await PostAsync();
        Assert.Equal("Started", first.GetProperty("status").GetString());
        var rollbackId = first.GetProperty("rollbackId").GetString()!;
        var controller = _app.Services.GetRequiredService<Workflow.IRollbackController>();
        var status = await controller.WaitForCompletionAsync(rollbackId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(RollbackTriggerType.IncidentEscalation, status.Request.TriggerType);
        Assert.Equal(RollbackSeverity.Critical, status.Request.Severity);

        var again = await PostAsync(); // incident.escalated or a redelivery of the same incident
        Assert.Equal("Duplicate", again.GetProperty("status").GetString());
        Assert.Equal(1, _step.ExecutionCount);

        var posts = (await _slack.WaitForAsync(r => r.Any(x => x.Json.GetProperty("text").GetString()!.Contains("Rollback succeeded", StringComparison.Ordinal))))
            .Select(r => r.Json).ToArray();
        Assert.Contains("[P0] Rollback triggered", posts[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(posts, p => p.GetProperty("text").GetString()!.Contains("awaiting approval", StringComparison.Ordinal));
        var threadTs = posts[1].GetProperty("thread_ts").GetString();
        Assert.All(posts.Skip(1), p => Assert.Equal(threadTs, p.GetProperty("thread_ts").GetString()));
    }
}
