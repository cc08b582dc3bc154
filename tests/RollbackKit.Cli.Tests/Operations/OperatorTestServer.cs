using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Testing;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Cli.Tests.Operations;

/// <summary>
/// A real ASP.NET Core host on Kestrel (127.0.0.1, a free port) serving RollbackKit's management API (<c>MapRollbackKitApi</c>)
/// under <c>/rollbackkit</c>, protected by a test bearer scheme: <see cref="Token"/> authenticates as <see cref="Caller"/>, anything
/// else is refused. RollbackKit's own dispatcher, workflow and journal (in a temporary directory) on the system clock; the monitor
/// is off. The playbook's first step (<c>drain traffic</c>) waits until <see cref="ReleaseStep"/>, so a run can be watched
/// while active. Medium-severity requests wait for approval.
/// </summary>
internal sealed class OperatorTestServer : IAsyncDisposable
{
    public const string Checkout = "shop/checkout";
    public const string Search = "shop/search";
    public const string Payments = "shop/payments";
    public const string Caller = "alice@ops";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rbk-cli-server-" + Guid.NewGuid().ToString("N")[..12]);
    private WebApplication _app = null!;

    /// <summary>The bearer token the server accepts (a fresh one per server; it must never be printed).</summary>
    public string Token { get; } = "tok-" + Guid.NewGuid().ToString("N");

    /// <summary>The API's base address with its prefix, as given to <c>--server</c>.</summary>
    public string Server { get; private set; } = string.Empty;

    public string JournalPath => Path.Combine(_directory, "journal.jsonl");

    public IRollbackController Controller => _app.Services.GetRequiredService<IRollbackController>();

    /// <summary>The environment a CLI process gets: the server and the token.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["ROLLBACKKIT_SERVER"] = Server,
        ["ROLLBACKKIT_TOKEN"] = Token,
    };

    public static async Task<OperatorTestServer> StartAsync()
    {
        var server = new OperatorTestServer();
        Directory.CreateDirectory(server._directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IMetricSource>(new FakeMetricSource());
        builder.Services.AddSingleton(server);
        builder.Services.AddAuthentication(TestBearer.SchemeName).AddScheme<AuthenticationSchemeOptions, TestBearer>(TestBearer.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                foreach (var id in (string[])[Checkout, Search, Payments])
                {
                    o.Targets.Add(new TargetDefinition { Id = id });
                }

                o.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "error_rate" });
                o.Triggers.Add(new TriggerDefinition { Name = "error-rate-high", Condition = "error_rate > 5", Severity = RollbackSeverity.Medium });
                o.Playbook = new PlaybookDefinition
                {
                    Budget = TimeSpan.FromMinutes(5),
                    Steps =
                    [
                        new PlaybookStepDefinition { Type = "drain", Name = "drain traffic" },
                        new PlaybookStepDefinition { Type = "undo", Name = "undo deployment" },
                    ],
                };
                o.Workflow.JournalPath = server.JournalPath;
                o.Workflow.EvidenceDirectory = Path.Combine(server._directory, "evidence");
                o.Workflow.VerificationEnabled = false;
                o.Workflow.MediumSeverity = MediumSeverityPolicy.RequireApproval;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddPlaybookStep("drain", async (_, ct) =>
            {
                await server._release.Task.WaitAsync(ct);
                return StepResult.Success("drained");
            })
            .AddPlaybookStep("undo", static (_, _) => ValueTask.FromResult(StepResult.Success("undone")))
            .AddRollbackKitApi();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRollbackKitApi();
        await app.StartAsync();
        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Server = address.TrimEnd('/') + "/rollbackkit";
        return server;
    }

    /// <summary>Lets every held <c>drain traffic</c> step finish.</summary>
    public void ReleaseStep() => _release.TrySetResult();

    /// <summary>Requests a Medium-severity rollback of <paramref name="target"/> as the trigger would: it waits for approval.</summary>
    public async Task<string> RequestNeedingApprovalAsync(string target)
    {
        var result = await _app.Services.GetRequiredService<IRollbackDispatcher>().DispatchAsync(new RollbackRequest
        {
            Target = new RollbackTarget(target),
            TriggerType = RollbackTriggerType.MetricTrigger,
            Severity = RollbackSeverity.Medium,
            Reason = "error rate 9 > 5",
            RequestedBy = "error-rate-high",
            RequestedAt = TimeProvider.System.GetUtcNow(),
        });
        var id = result.RollbackId ?? throw new InvalidOperationException($"not started: {result.Status} {result.Message}");
        await WaitUntilAsync(() => Controller.GetStatus(target) is { State: RollbackState.AwaitingApproval, ApprovalId: not null }, target + " awaiting approval");
        return id;
    }

    /// <summary>The journal as written so far.</summary>
    public async Task<IReadOnlyList<JournalEntry>> JournalAsync() => (await RollbackJournalFile.ReadAsync(JournalPath)).Entries;

    /// <summary>Polls (bounded, as a hang guard) until the condition holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!condition())
        {
            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseStep();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A bearer scheme for tests: only the server's <see cref="Token"/> is accepted, as <see cref="Caller"/> (name and <c>sub</c>).</summary>
    private sealed class TestBearer(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OperatorTestServer server)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestBearer";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (!string.Equals(header["Bearer ".Length..], server.Token, StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.Fail("unknown token"));
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, Caller), new Claim("sub", Caller)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
