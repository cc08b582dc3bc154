using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Kubernetes.Tests.Workflow;

/// <summary>
/// A coordinated group on two controller replicas sharing one API server (the Lease lock, one lease per group) and one journal
/// file: fires on different members from both replicas roll the group back once.
/// </summary>
public sealed class GroupTwoHostTests : IAsyncLifetime
{
    private static readonly string[] Members = ["db", "app", "web"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<string> _steps = new();
    private KubernetesApiEmulator _emulator = null!;

    private string JournalPath => Path.Combine(_dir.Path, "journal.jsonl");

    public async Task InitializeAsync() => _emulator = await KubernetesApiEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class Host(string identity, ServiceProvider services) : IAsyncDisposable
    {
        public string Identity { get; } = identity;

        public ServiceProvider Services { get; } = services;

        public IRollbackDispatcher Dispatcher => Services.GetRequiredService<IRollbackDispatcher>();

        public IRollbackController Controller => Services.GetRequiredService<IRollbackController>();

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    /// <summary>A replica with its own journal writer on the shared journal file; its one step records "host:member" in the shared queue.</summary>
    private Host CreateHost(string identity, Func<CancellationToken, Task> hold)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging();
        services.AddRollbackKit(o =>
            {
                foreach (var id in Members)
                {
                    o.Targets.Add(new TargetDefinition { Id = id, Labels = new() { ["name"] = id } });
                }

                o.Groups.Add(new RollbackGroupDefinition { Id = "stack", Targets = [.. Members] });
                o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "record", Name = "undo", Timeout = TimeSpan.FromHours(1) }] };
                o.Workflow.JournalPath = JournalPath;
                o.Workflow.Cooldown = TimeSpan.FromMinutes(10);
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddEmulatorLeaseLock(_emulator, identity)
            .AddPlaybookStep("record", async (ctx, ct) =>
            {
                _steps.Enqueue($"{identity}:{ctx.Target.Id}");
                await hold(ct);
                return StepResult.Success("rolled back");
            });
        return new Host(identity, services.BuildServiceProvider());
    }

    private RollbackRequest Fire(string member, int i) => new()
    {
        Target = new RollbackTarget(member, new Dictionary<string, string> { ["name"] = member }),
        TriggerType = RollbackTriggerType.MetricTrigger,
        Severity = RollbackKit.Triggers.RollbackSeverity.Critical,
        Reason = $"error rate of {member} 5.2/min > 0.75/min for 5m ({i})",
        RequestedBy = "error-rate",
        RequestedAt = _time.GetUtcNow(),
    };

    private string? LeaseHolder(string name) =>
        _emulator.Get("coordination.k8s.io/v1", "leases", "rollbackkit", name)?["spec"]?["holderIdentity"]?.GetValue<string>();

    [Fact]
    public async Task Dispatch_ConcurrentFiresOnDifferentMembersFromTwoHosts_OneGroupRunOtherHostNamesTheHolder()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Hold(CancellationToken ct)
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(ct);
        }

        await using var a = CreateHost("host-a", Hold);
        await using var b = CreateHost("host-b", Hold);
        var start = new ManualResetEventSlim();

        // Host A fires on db and app, host B on web and app: every request at once.
        var requests = Enumerable.Range(0, 120).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var host = i % 2 == 0 ? a : b;
            var member = i % 2 == 0 ? Members[i / 2 % 2] : Members[2 - (i / 2 % 2)];
            return (Host: host, Result: await host.Dispatcher.DispatchAsync(Fire(member, i)));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));

        var started = Assert.Single(results, r => r.Result.Status == DispatchStatus.Started);
        var owner = started.Host;
        var other = owner == a ? b : a;
        Assert.All(results, r => Assert.True(r.Result.Status is DispatchStatus.Started or DispatchStatus.Joined, $"{r.Result.Status}: {r.Result.Message}"));
        Assert.All(results.Where(r => r.Host == owner && r.Result.Status == DispatchStatus.Joined), r => Assert.Equal(started.Result.RollbackId, r.Result.RollbackId));
        var elsewhere = results.Where(r => r.Host == other).Select(r => r.Result).ToArray();
        Assert.NotEmpty(elsewhere);
        Assert.All(elsewhere, r => Assert.Contains($"{owner.Identity} holds the lock of group stack", r.Message, StringComparison.Ordinal));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(owner.Identity, LeaseHolder("rollbackkit-stack"));

        release.SetResult();
        var status = await owner.Controller.WaitForCompletionAsync(started.Result.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(Enumerable.Reverse(Members).Select(m => $"{owner.Identity}:{m}"), _steps); // each member once, on the holder only
        Assert.Null(LeaseHolder("rollbackkit-stack"));
        foreach (var member in Members)
        {
            Assert.Null(_emulator.Get("coordination.k8s.io/v1", "leases", "rollbackkit", "rollbackkit-" + member)); // no member lease
        }

        var entries = await owner.Services.GetRequiredService<IRollbackJournal>().ReadAsync();
        var requested = Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal("stack", requested.TargetId);
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Completed);
    }

    [Fact]
    public async Task Dispatch_FireOnOtherHostAfterTheGroupRunFinished_RefusedWithinTheCooldownNothingRunsAgain()
    {
        await using var a = CreateHost("host-a", _ => Task.CompletedTask);
        await using var b = CreateHost("host-b", _ => Task.CompletedTask);
        Assert.Equal(0, await b.Controller.ResumeUnfinishedAsync()); // host B has read the journal before host A's run

        var first = await a.Dispatcher.DispatchAsync(Fire("db", 0));
        Assert.Equal(DispatchStatus.Started, first.Status);
        Assert.Equal(RollbackState.RolledBack, (await a.Controller.WaitForCompletionAsync(first.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20))).State);
        _time.Advance(TimeSpan.FromMinutes(1));

        var late = await b.Dispatcher.DispatchAsync(Fire("web", 1));

        Assert.Equal(DispatchStatus.Refused, late.Status);
        Assert.Equal(first.RollbackId, late.RollbackId);
        Assert.Contains($"group stack (web is a member) was rolled back 1 min 0 s ago by run {first.RollbackId}", late.Message, StringComparison.Ordinal);
        Assert.Equal(3, _steps.Count);
        Assert.All(_steps, s => Assert.StartsWith("host-a:", s, StringComparison.Ordinal));
        Assert.Null(LeaseHolder("rollbackkit-stack")); // host B let the lease go again
    }

    [Fact]
    public async Task Dispatch_AfterResetAttemptsOnOtherHost_GroupRollsBackAgainThere()
    {
        await using var a = CreateHost("host-a", _ => Task.CompletedTask);
        await using var b = CreateHost("host-b", _ => Task.CompletedTask);
        var first = await a.Dispatcher.DispatchAsync(Fire("db", 0));
        await a.Controller.WaitForCompletionAsync(first.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromMinutes(1));

        // A fix was deployed: the operator forgets the group's cooldown on host B (through any member).
        b.Controller.ResetAttempts("app");
        var again = await b.Dispatcher.DispatchAsync(Fire("web", 1));

        Assert.Equal(DispatchStatus.Started, again.Status);
        Assert.Equal(RollbackState.RolledBack, (await b.Controller.WaitForCompletionAsync(again.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20))).State);
        Assert.Equal(["host-a:web", "host-a:app", "host-a:db", "host-b:web", "host-b:app", "host-b:db"], _steps);
    }

    [Fact]
    public async Task Dispatch_AfterAJournaledResetOnTheHostThatRolledBack_OtherHostRollsTheGroupBackAgain()
    {
        await using var a = CreateHost("host-a", _ => Task.CompletedTask);
        await using var b = CreateHost("host-b", _ => Task.CompletedTask);
        Assert.Equal(0, await b.Controller.ResumeUnfinishedAsync()); // host B has read the journal before host A's run and reset
        var first = await a.Dispatcher.DispatchAsync(Fire("db", 0));
        await a.Controller.WaitForCompletionAsync(first.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromMinutes(1));

        // The operator resets on host A (through a member); host B learns it from the shared journal when it takes the lease.
        await a.Controller.ResetAttemptsAsync("app", "alice", "fix 1.4.3 deployed");
        var again = await b.Dispatcher.DispatchAsync(Fire("web", 1));

        Assert.Equal(DispatchStatus.Started, again.Status);
        Assert.Equal(RollbackState.RolledBack, (await b.Controller.WaitForCompletionAsync(again.RollbackId!).WaitAsync(TimeSpan.FromSeconds(20))).State);
        Assert.Equal(["host-a:web", "host-a:app", "host-a:db", "host-b:web", "host-b:app", "host-b:db"], _steps);
    }
}
