using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Kubernetes.Tests.Workflow;

/// <summary>Two controller replicas (two service providers) sharing one API server, one journal and the Lease lock.</summary>
public sealed class TwoHostTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDir _dir = new();
    private KubernetesApiEmulator _emulator = null!;
    private string JournalPath => Path.Combine(_dir.Path, "journal.jsonl");

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _emulator.SeedDeployment("shop", "web", 2, "web:1", "web:2", "web:3");
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private int UndoPatches => _emulator.Requests.Count(r => r.Verb == "patch" && r.Resource == "deployments");

    private sealed class Host(ServiceProvider services) : IAsyncDisposable
    {
        public ServiceProvider Services { get; } = services;

        public IRollbackDispatcher Dispatcher => Services.GetRequiredService<IRollbackDispatcher>();

        public IRollbackController Controller => Services.GetRequiredService<IRollbackController>();

        public int HoldRuns;

        /// <summary>The steps this host asked a human about (a step another host was running when it died).</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> AskedAbout { get; } = new();

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    /// <summary>Approves every re-run of an interrupted step, as the operator would after checking.</summary>
    private sealed class ApprovingOperator(Func<Host> host) : RollbackKit.Notifications.INotifier
    {
        public string Name => "operator";

        public async ValueTask NotifyAsync(RollbackKit.Notifications.RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            if (rollbackEvent.Kind == RollbackKit.Notifications.RollbackEventKind.AwaitingApproval && rollbackEvent.StepName is { } step)
            {
                host().AskedAbout.Enqueue(step);
                await host().Services.GetRequiredService<RollbackKit.Approval.IApprovalGate>()
                    .DecideAsync(rollbackEvent.ApprovalId!, RollbackKit.Approval.ApprovalDecision.Approved, "operator", cancellationToken: cancellationToken);
            }
        }
    }

    /// <summary>A host with its own journal writer on the shared journal file.</summary>
    private Host CreateHost(string identity, Func<CancellationToken, Task> hold)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging();
        Host? host = null;
        services.AddSingleton<RollbackKit.Notifications.INotifier>(new ApprovingOperator(() => host!));
        services.AddRollbackKit(o =>
            {
                o.Targets.Add(new TargetDefinition { Id = "shop/web", Labels = new() { ["namespace"] = "shop", ["name"] = "web" } });
                o.Playbook = new PlaybookDefinition
                {
                    Steps =
                    [
                        new PlaybookStepDefinition { Type = "kubernetes.undo", Name = "undo", Timeout = TimeSpan.FromMinutes(1) },
                        new PlaybookStepDefinition { Type = "hold", Name = "hold", Timeout = TimeSpan.FromHours(1) },
                    ],
                };
                o.Workflow.JournalPath = JournalPath;
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddEmulatorLeaseLock(_emulator, identity)
            .AddPlaybookStep("hold", async (_, ct) =>
            {
                Interlocked.Increment(ref host!.HoldRuns);
                await hold(ct);
                return StepResult.Success("held");
            });
        host = new Host(services.BuildServiceProvider());
        return host;
    }

    private RollbackRequest Request(string by) => new()
    {
        Target = new RollbackTarget("shop/web", new Dictionary<string, string> { ["namespace"] = "shop", ["name"] = "web" }),
        TriggerType = RollbackTriggerType.Manual,
        Severity = RollbackKit.Triggers.RollbackSeverity.Critical,
        Reason = "error rate 5.2/min > 0.75/min for 5m",
        RequestedBy = by,
        RequestedAt = _time.GetUtcNow(),
    };

    [Fact]
    public async Task Dispatch_200ConcurrentRequestsAcrossTwoHosts_ExactlyOneUndoPatch()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Hold(CancellationToken ct)
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(ct);
        }

        await using var a = CreateHost("host-a", Hold);
        // Each replica has its own journal writer on the same file, as two pods sharing a volume would.
        await using var b = CreateHost("host-b", Hold);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? a : b).Dispatcher.DispatchAsync(Request($"user-{i}")))));

        var started = results.Where(r => r.Status == DispatchStatus.Started).ToList();
        Assert.Single(started);
        Assert.All(results, r => Assert.True(r.Status is DispatchStatus.Started or DispatchStatus.Joined, $"{r.Status}: {r.Message}"));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        release.SetResult();
        var owner = a.Controller.GetStatus("shop/web")?.RollbackId == started[0].RollbackId ? a : b;
        var status = await owner.Controller.WaitForCompletionAsync(started[0].RollbackId!).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(1, UndoPatches);
        Assert.Equal(1, a.HoldRuns + b.HoldRuns);
        var image = _emulator.Get("apps/v1", "deployments", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
        Assert.Equal("web:2", image);
    }

    [Fact]
    public async Task Resume_HolderKilledMidPlaybook_OtherHostResumesOnlyAfterLeaseExpiry()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = CreateHost("host-a", async ct =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var b = CreateHost("host-b", _ => Task.CompletedTask);

        var result = await a.Dispatcher.DispatchAsync(Request("oncall"));
        Assert.Equal(DispatchStatus.Started, result.Status);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, UndoPatches);

        // "Kill" host A: none of its lease writes reach the API server any more, so it neither renews nor releases.
        _emulator.Interceptor = r => r.Resource == "leases" && r.Verb == "update" ? 403 : null;
        await a.DisposeAsync();
        _emulator.Interceptor = null;
        Assert.Equal("host-a", _emulator.List("coordination.k8s.io/v1", "leases", "rollbackkit").Single()["spec"]!["holderIdentity"]!.GetValue<string>());

        Assert.Equal(0, await b.Controller.ResumeUnfinishedAsync());
        Assert.Equal(DispatchStatus.Joined, (await b.Dispatcher.DispatchAsync(Request("second-pager"))).Status);
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(1, await b.Controller.ResumeUnfinishedAsync());
        var status = await b.Controller.WaitForCompletionAsync(result.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.True(status.Resumed);
        Assert.Equal(1, UndoPatches);
        Assert.Equal(["hold"], b.AskedAbout); // interrupted and not provable: run again only after a decision
        Assert.Equal(1, b.HoldRuns);
        var lease = _emulator.List("coordination.k8s.io/v1", "leases", "rollbackkit").Single();
        Assert.Null(lease["spec"]!["holderIdentity"]);
    }
}
