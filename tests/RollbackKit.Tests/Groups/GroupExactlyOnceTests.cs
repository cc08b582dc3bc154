using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Groups;

/// <summary>However many requests arrive at once, on however many members, from however many sources: one run of the group.</summary>
public sealed class GroupExactlyOnceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-group-once-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

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

    private static async Task AssertOneGroupRunAsync(WorkflowHarness h, DispatchResult[] results)
    {
        var started = Assert.Single(results, r => r.Status == DispatchStatus.Started);
        Assert.All(results, r => Assert.Equal(started.RollbackId, r.RollbackId));
        Assert.All(results, r => Assert.Contains(r.Status, new[] { DispatchStatus.Started, DispatchStatus.Joined, DispatchStatus.Refused, DispatchStatus.Duplicate }));
        Assert.All(results.Where(r => r.Status == DispatchStatus.Refused), r => Assert.Contains($"by run {started.RollbackId}", r.Message!, StringComparison.Ordinal));
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(started.RollbackId)).State);
        Assert.Equal(3, h.StepRuns); // one step per member, once
        var entries = await h.Journal.ReadAsync();
        var requested = Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal(GroupHarness.GroupId, requested.TargetId);
        Assert.Equal(results.Length - 1, entries.Count(e => e.Kind is JournalEntryKind.Joined or JournalEntryKind.Refused or JournalEntryKind.Duplicate));
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Completed);
    }

    [Fact]
    public async Task RollbackAsync_ThousandConcurrentManualRequestsOverAllMembersOnFileJournal_OneGroupRunEveryCallerGetsItsId()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Reverse, journalPath: Path.Combine(_dir, "manual.jsonl"));

        var results = await ConcurrentlyAsync(1000, i => h.Controller.RollbackAsync(GroupHarness.Members[i % 3], $"bad release {i}", $"user-{i % 7}").AsTask());

        await AssertOneGroupRunAsync(h, results);
    }

    [Fact]
    public async Task DispatchAsync_ThousandConcurrentMixedRequestsOverAllMembersOnFileJournal_OneGroupRunEveryCallerGetsItsId()
    {
        await using var h = GroupHarness.Create(RollbackGroupOrder.Parallel, journalPath: Path.Combine(_dir, "mixed.jsonl"));
        var types = new[] { RollbackTriggerType.Manual, RollbackTriggerType.MetricTrigger, RollbackTriggerType.Alert, RollbackTriggerType.PolicyBreach, RollbackTriggerType.IncidentEscalation };

        var results = await ConcurrentlyAsync(1000, i =>
        {
            var type = types[i % types.Length];
            var key = type is RollbackTriggerType.Alert or RollbackTriggerType.PolicyBreach or RollbackTriggerType.IncidentEscalation ? $"evt-{i % 50}" : null;
            return h.Dispatcher.DispatchAsync(h.Request(GroupHarness.Members[i % 3], type: type, dedup: key)).AsTask();
        });

        await AssertOneGroupRunAsync(h, results);
    }
}
