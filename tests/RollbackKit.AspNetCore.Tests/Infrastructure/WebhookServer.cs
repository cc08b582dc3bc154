using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Testing;

namespace RollbackKit.AspNetCore.Tests.Infrastructure;

/// <summary>
/// An in-memory ASP.NET Core app (TestServer) with every webhook of these packages mapped by
/// <c>MapRollbackKitWebhooks()</c> under <c>/rollbackkit</c> and <c>/ops/hooks</c>, a recording dispatcher and a
/// substitute approval gate.
/// </summary>
public sealed class WebhookServer : IAsyncDisposable
{
    /// <summary>The webhook names these packages register today; <see cref="EndpointMatrixTests"/> covers each.</summary>
    public static readonly string[] HandlerNames = ["alertmanager", "pagerduty", "policy-breach", "slack"];

    private readonly TaskCompletionSource<(string ApprovalId, ApprovalDecision Decision)> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebApplication _app = null!;

    private WebhookServer()
    {
        Gate.DecideAsync(default!, default, default!, default, default).ReturnsForAnyArgs(call =>
        {
            _decided.TrySetResult((call.ArgAt<string>(0), call.ArgAt<ApprovalDecision>(1)));
            return ValueTask.FromResult(true);
        });
    }

    /// <summary>Generous bound for waiting on background work; a passing test never gets near it.</summary>
    public static TimeSpan WaitLimit { get; } = TimeSpan.FromSeconds(20);

    public RecordingRollbackDispatcher Dispatcher { get; } = new();

    public IApprovalGate Gate { get; } = Substitute.For<IApprovalGate>();

    public FakeTimeProvider Time { get; } = new(WebhookRequests.Now);

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    /// <summary>Completes with the first decision the Slack handler hands to the approval gate.</summary>
    public Task<(string ApprovalId, ApprovalDecision Decision)> FirstDecision => _decided.Task;

    /// <param name="maxBodyBytes">The webhook body limit.</param>
    /// <param name="services">More registrations, applied after RollbackKit's (for example extra handlers).</param>
    /// <param name="map">Replaces the default mapping (both prefixes) when given.</param>
    /// <param name="pipeline">Middleware added before the endpoints.</param>
    public static async Task<WebhookServer> StartAsync(
        long maxBodyBytes = WebhookRequests.DefaultLimit,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? map = null,
        Action<WebApplication>? pipeline = null)
    {
        var result = new WebhookServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(result.Time);
        builder.Services.AddSingleton<IRollbackDispatcher>(result.Dispatcher);
        builder.Services.AddSingleton(result.Gate);
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
                o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
                // A journal of its own: test classes run in parallel, and two hosts on one file refuse each other at start.
                o.Workflow.JournalPath = Path.Combine(Path.GetTempPath(), "rollbackkit-aspnetcore-tests", Guid.NewGuid().ToString("N"), "journal.jsonl");
            })
            .AddWebhookEndpoints(o => o.MaxBodyBytes = maxBodyBytes)
            .AddPolicyBreachWebhook(o => o.Secret = WebhookRequests.PolicySecret)
            .AddAlertmanagerSignals(o => o.BearerToken = WebhookRequests.AlertmanagerToken)
            .AddPagerDuty(o =>
            {
                o.WebhookSecrets.Add(WebhookRequests.PagerDutySecret);
                o.ServiceTargets["PSVC01"] = "payments/checkout";
            })
            .AddSlack(o =>
            {
                o.WebhookUrl = new Uri("http://127.0.0.1:9/unused");
                o.SigningSecret = WebhookRequests.SlackSigningSecret;
                o.Approvers.Add(WebhookRequests.SlackApprover);
                o.ResponseUrlHosts.Add("127.0.0.1");
            });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        pipeline?.Invoke(app);
        if (map is null)
        {
            app.MapRollbackKitWebhooks();
            app.MapRollbackKitWebhooks("/ops/hooks");
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        result._app = app;
        result.Client = app.GetTestClient();
        return result;
    }

    public string AllLogText() =>
        string.Join("\n", _app.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + r.Exception));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
