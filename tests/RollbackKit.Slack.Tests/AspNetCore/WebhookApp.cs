using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Slack.Tests.Infrastructure;
using RollbackKit.Testing;

namespace RollbackKit.Slack.Tests.AspNetCore;

/// <summary>A real ASP.NET Core app on 127.0.0.1 with every webhook of these packages mapped by MapRollbackKitWebhooks.</summary>
public sealed class WebhookApp : IAsyncDisposable
{
    public const string PolicySecret = "policy-secret";
    public const string PagerDutySecret = "pd-webhook-secret";
    public const string AlertmanagerToken = "am-token-0123456789";

    private WebApplication _app = null!;

    public RecordingRollbackDispatcher Dispatcher { get; } = new();

    public IApprovalGate Gate { get; } = Substitute.For<IApprovalGate>();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<WebhookApp> StartAsync(long maxBodyBytes = 4096, Uri? slackResponseHost = null)
    {
        var result = new WebhookApp();
        result.Gate.DecideAsync(default!, default, default!, default, default).ReturnsForAnyArgs(ValueTask.FromResult(true));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<TimeProvider>(result.Time);
        builder.Services.AddSingleton<IRollbackDispatcher>(result.Dispatcher);
        builder.Services.AddSingleton(result.Gate);
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
            })
            .AddWebhookEndpoints(o => o.MaxBodyBytes = maxBodyBytes)
            .AddPolicyBreachWebhook(o => o.Secret = PolicySecret)
            .AddAlertmanagerSignals(o => o.BearerToken = AlertmanagerToken)
            .AddPagerDuty(o =>
            {
                o.WebhookSecrets.Add(PagerDutySecret);
                o.ServiceTargets["PSVC01"] = "payments/checkout";
            })
            .AddSlack(o =>
            {
                o.WebhookUrl = slackResponseHost ?? new Uri("http://127.0.0.1:9/unused");
                o.SigningSecret = TestHost.SigningSecret;
                o.Approvers.Add("U2CERLKJA");
                o.ResponseUrlHosts.Add("127.0.0.1");
            });
        var app = builder.Build();
        app.MapRollbackKitWebhooks();
        app.MapRollbackKitWebhooks("/ops/hooks");
        await app.StartAsync();
        var address = ((IServer)app.Services.GetService(typeof(IServer))!).Features.Get<IServerAddressesFeature>()!.Addresses.First();
        result._app = app;
        result.Client = new HttpClient { BaseAddress = new Uri(address + "/") };
        Assert.Equal("127.0.0.1", result.Client.BaseAddress.Host);
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
