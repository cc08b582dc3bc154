using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

/// <summary>
/// Whoever asks (people, triggers, signals) and however many ask at once, one target gets one run: requests during the run
/// join it, requests after it finished are answered with that run instead of starting another (unless forced).
/// </summary>
public sealed class ExactlyOnceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-once-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A harness on the real file journal (fsync on every record).</summary>
    private WorkflowHarness CreateOnFile(Action<RollbackKitOptions>? configure = null)
    {
        var path = Path.Combine(_dir, $"journal-{Guid.NewGuid():N}.jsonl");
        return WorkflowHarness.Create(configure, s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance)));
    }

    private static async Task<DispatchResult[]> ConcurrentlyAsync(int count, Func<int, Task<DispatchResult>> request)
    {
        var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await request(i);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120));
    }

    private static async Task AssertOneRunAsync(WorkflowHarness h, DispatchResult[] results)
    {
        var started = Assert.Single(results, r => r.Status == DispatchStatus.Started);
        Assert.All(results, r => Assert.Equal(started.RollbackId, r.RollbackId));
        Assert.All(results, r => Assert.Contains(r.Status, new[] { DispatchStatus.Started, DispatchStatus.Joined, DispatchStatus.Refused, DispatchStatus.Duplicate }));
        Assert.All(results.Where(r => r.Status == DispatchStatus.Refused), r => Assert.Contains($"by run {started.RollbackId}", r.Message!, StringComparison.Ordinal));
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(started.RollbackId)).State);
        Assert.Equal(1, h.StepRuns);
        var entries = await h.Journal.ReadAsync("app");
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal(results.Length - 1, entries.Count(e => e.Kind is JournalEntryKind.Joined or JournalEntryKind.Refused or JournalEntryKind.Duplicate));
    }

    [Fact]
    public async Task RollbackAsync_ThousandConcurrentManualRequestsOnFileJournal_OneRunEveryCallerGetsItsId()
    {
        await using var h = CreateOnFile();

        var results = await ConcurrentlyAsync(1000, i => h.Controller.RollbackAsync("app", $"bad release {i}", $"user-{i % 7}").AsTask());

        await AssertOneRunAsync(h, results);
    }

    [Fact]
    public async Task DispatchAsync_ThousandConcurrentMixedRequestsOnFileJournal_OneRunEveryCallerGetsItsId()
    {
        await using var h = CreateOnFile();
        var types = new[] { RollbackTriggerType.Manual, RollbackTriggerType.MetricTrigger, RollbackTriggerType.Alert, RollbackTriggerType.PolicyBreach, RollbackTriggerType.IncidentEscalation };

        var results = await ConcurrentlyAsync(1000, i =>
        {
            var type = types[i % types.Length];
            var key = type is RollbackTriggerType.Alert or RollbackTriggerType.PolicyBreach or RollbackTriggerType.IncidentEscalation ? $"evt-{i % 50}" : null;
            return h.Dispatcher.DispatchAsync(h.Request(type: type, dedup: key)).AsTask();
        });

        await AssertOneRunAsync(h, results);
    }

    [Fact]
    public async Task RollbackAsync_AfterFinishedRun_AnswersWithThatRunAndAsksForForce()
    {
        await using var h = CreateOnFile(o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10));
        var first = await h.Controller.RollbackAsync("app", "bad release", "alice");
        await h.WaitAsync(first.RollbackId);

        h.Time.Advance(TimeSpan.FromSeconds(40));
        var again = await h.Controller.RollbackAsync("app", "still bad?", "bob");

        Assert.Equal(DispatchStatus.Refused, again.Status);
        Assert.Equal(first.RollbackId, again.RollbackId);
        Assert.Contains($"rolled back 40 s ago by run {first.RollbackId}", again.Message, StringComparison.Ordinal);
        Assert.Contains("pass Force to run again", again.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.StepRuns);
        var refused = Assert.Single(await h.Journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Refused);
        Assert.Equal(again.Message, refused.Message);
        Assert.Equal("bob", refused.Actor);

        // Once the window (the cooldown) has passed, a manual request runs again.
        h.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(DispatchStatus.Started, (await h.Controller.RollbackAsync("app", "new release bad", "carol")).Status);
    }


    [Fact]
    public async Task RollbackAsync_WithForceAfterFinishedRun_StartsAnotherRun()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10));
        var first = await h.Controller.RollbackAsync("app", "bad release", "alice");
        await h.WaitAsync(first.RollbackId);
        h.Time.Advance(TimeSpan.FromSeconds(40));

        var forced = await h.Controller.RollbackAsync("app", "really", "bob", force: true);

        Assert.Equal(DispatchStatus.Started, forced.Status);
        Assert.NotEqual(first.RollbackId, forced.RollbackId);
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(forced.RollbackId)).State);
        Assert.Equal(2, h.StepRuns);
        Assert.True(Assert.Single(await h.Journal.ReadAsync("app"), e => e.RollbackId == forced.RollbackId && e.Kind == JournalEntryKind.Requested).Request!.Force);
    }


    [Fact]
    public async Task DispatchAsync_AutomaticRequestAfterManualRun_RefusedByCooldownNamingTheRun()
    {
        await using var h = WorkflowHarness.Create(o => o.Workflow.Cooldown = TimeSpan.FromMinutes(10));
        var manual = await h.Controller.RollbackAsync("app", "bad release", "alice");
        await h.WaitAsync(manual.RollbackId);

        h.Time.Advance(TimeSpan.FromMinutes(2));
        var automatic = await h.Dispatcher.DispatchAsync(h.Request());

        Assert.Equal(DispatchStatus.Refused, automatic.Status);
        Assert.Equal(manual.RollbackId, automatic.RollbackId);
        Assert.Contains("cooldown", automatic.Message, StringComparison.Ordinal);
        Assert.Contains(manual.RollbackId!, automatic.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.StepRuns);
    }

    [Fact]
    public async Task RollbackAsync_AfterRunFinishedInPreviousProcess_AnswersWithThatRun()
    {
        var path = Path.Combine(_dir, "shared.jsonl");
        string? firstId;
        DateTimeOffset finishedAt;
        await using (var before = WorkflowHarness.Create(services: s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance))))
        {
            firstId = (await before.Controller.RollbackAsync("app", "bad release", "alice")).RollbackId;
            finishedAt = (await before.WaitAsync(firstId)).CompletedAt!.Value;
        }

        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(finishedAt + TimeSpan.FromMinutes(3));
        await using var after = WorkflowHarness.Create(services: s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance)), time: time);
        var again = await after.Controller.RollbackAsync("app", "again", "bob");

        Assert.Equal(DispatchStatus.Refused, again.Status);
        Assert.Equal(firstId, again.RollbackId);
        Assert.Contains("3 min 0 s ago", again.Message, StringComparison.Ordinal);
        Assert.Equal(0, after.StepRuns);
    }
}
