using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Testing;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.AspNetCore.Tests.Operations;

/// <summary>
/// An ASP.NET Core app with the management API under <c>/rollbackkit</c>, a bearer test scheme (the token is the caller's
/// name), a real dispatcher and workflow, a fake clock and a fake metric source. Two targets; one trigger
/// <c>error-rate</c> over <c>canary_error_rate &gt; 0.05</c>. The playbook's first step (<c>drain</c>) waits until
/// <see cref="ReleaseStep"/> is called, so a run can be held in a step.
/// </summary>
public sealed class OperatorApiHost : IAsyncDisposable
{
    public const string Checkout = "shop/checkout";
    public const string Search = "shop/search";

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;

    private OperatorApiHost(string journalPath, DateTimeOffset now)
    {
        JournalPath = journalPath;
        Time = new FakeTimeProvider(now);
        Source = new FakeMetricSource(Time);
        Source.Set("canary_error_rate", 0.01);
    }

    public static DateTimeOffset Start { get; } = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Generous bound for waiting on background work; a passing test never gets near it.</summary>
    public static TimeSpan WaitLimit { get; } = TimeSpan.FromSeconds(30);

    public string JournalPath { get; }

    public FakeTimeProvider Time { get; }

    public FakeMetricSource Source { get; }

    public HttpClient Anonymous { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    /// <summary>The base address when started on Kestrel.</summary>
    public Uri? Address { get; private set; }

    public static string NewJournalPath() =>
        Path.Combine(Path.GetTempPath(), "rollbackkit-aspnetcore-tests", Guid.NewGuid().ToString("N"), "journal.jsonl");

    /// <param name="journalPath">The journal (a new one when null).</param>
    /// <param name="severity">The trigger's severity (High waits for an acknowledgement).</param>
    /// <param name="kestrel">Listen on 127.0.0.1:0 with Kestrel instead of the in-memory test server.</param>
    /// <param name="configure">More host configuration (services).</param>
    /// <param name="map">More mapping after the API (for example OpenAPI).</param>
    public static async Task<OperatorApiHost> StartAsync(
        string? journalPath = null,
        RollbackSeverity severity = RollbackSeverity.Critical,
        bool kestrel = false,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null,
        DateTimeOffset? now = null)
    {
        var host = new OperatorApiHost(journalPath ?? NewJournalPath(), now ?? Start);
        var builder = WebApplication.CreateSlimBuilder();
        if (kestrel)
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(host.Time);
        builder.Services.AddSingleton<IMetricSource>(host.Source);
        builder.Services.AddAuthentication(TestBearer.SchemeName).AddScheme<AuthenticationSchemeOptions, TestBearer>(TestBearer.SchemeName, null);
        builder.Services.AddAuthorization();
        var evidence = Path.Combine(Path.GetDirectoryName(host.JournalPath)!, "evidence");
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = Checkout, Labels = { ["namespace"] = "shop", ["name"] = "checkout" } });
                o.Targets.Add(new TargetDefinition { Id = Search, Labels = { ["namespace"] = "shop", ["name"] = "search" } });
                o.Queries.Add(new MetricQueryDefinition { Name = "canary_error_rate", Expression = "canary" });
                o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "canary_error_rate > 0.05", Severity = severity });
                o.Playbook = new PlaybookDefinition
                {
                    Steps =
                    [
                        new PlaybookStepDefinition { Type = "drain", Name = "drain traffic" },
                        new PlaybookStepDefinition { Type = "undo", Name = "undo deployment" },
                    ],
                };
                o.Workflow.JournalPath = host.JournalPath;
                o.Workflow.EvidenceDirectory = evidence;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddPlaybookStep("drain", async (_, ct) =>
            {
                await host._release.Task.WaitAsync(ct);
                return StepResult.Success("drained");
            })
            .AddPlaybookStep("undo", static (_, _) => ValueTask.FromResult(StepResult.Success("undone")))
            .AddRollbackKitApi();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRollbackKitApi();
        map?.Invoke(app);
        await app.StartAsync();
        host._app = app;
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            host.Address = new Uri(address.TrimEnd('/') + "/");
            host.Anonymous = new HttpClient { BaseAddress = host.Address };
        }
        else
        {
            host.Anonymous = app.GetTestClient();
        }

        return host;
    }

    /// <summary>A client that calls as <paramref name="user"/>.</summary>
    public HttpClient As(string user)
    {
        var client = Address is null ? _app.GetTestClient() : new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user);
        return client;
    }

    /// <summary>Lets every held <c>drain</c> step finish.</summary>
    public void ReleaseStep() => _release.TrySetResult();

    public IRollbackController Controller => Services.GetRequiredService<IRollbackController>();

    public ValueTask<MonitorTickResult> TickAsync() => Services.GetRequiredService<IRollbackMonitor>().TickAsync();

    public async Task<IReadOnlyList<JournalEntry>> JournalAsync() =>
        await Services.GetRequiredService<IRollbackJournal>().ReadAsync();

    /// <summary>Polls (on the real clock, bounded by <see cref="WaitLimit"/>) until the condition holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseStep();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A bearer scheme for tests: the token is the caller's name (sent as both the name and the <c>sub</c> claim).</summary>
    private sealed class TestBearer(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestBearer";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length <= 7)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var user = header[7..];
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim("sub", user)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
