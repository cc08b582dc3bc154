using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Dispatch;

/// <summary>Deduplication keys belong to the source that sent them: one source's key never suppresses another's.</summary>
public sealed class DeduplicationNamespaceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rollbackkit-dedup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task DispatchAsync_AlertFingerprintEqualToPolicyBreachKey_DoesNotSuppressThePolicyBreach()
    {
        await using var h = WorkflowHarness.Create();
        var alert = await h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.Alert, dedup: "policy-breach:evt-77", alertOnly: true));
        Assert.Equal(DispatchStatus.AlertRaised, alert.Status);

        var breach = await h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.PolicyBreach, dedup: "policy-breach:evt-77"));

        Assert.Equal(DispatchStatus.Started, breach.Status);
        await h.WaitAsync(breach.RollbackId);
        Assert.Equal(1, h.StepRuns);

        // Within one source the key still deduplicates.
        var again = await h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.PolicyBreach, dedup: "policy-breach:evt-77"));
        Assert.Equal(DispatchStatus.Duplicate, again.Status);
        Assert.Equal(breach.RollbackId, again.RollbackId);
    }

    [Fact]
    public async Task InitializeAsync_JournalLineWrittenBeforeNamespaces_StillDeduplicatesItsOwnSourceOnly()
    {
        var path = Path.Combine(_dir, "journal.jsonl");
        // A line as written by earlier versions: the raw key, the source only in the request's trigger type.
        await File.WriteAllTextAsync(path,
            """{"timestamp":"2026-11-25T11:59:00+00:00","kind":"Alert","targetId":"app","message":"Alert: firing","actor":"alertmanager","request":{"target":{"id":"app","labels":{"name":"app"}},"triggerType":"Alert","severity":"Critical","reason":"firing","requestedBy":"alertmanager","deduplicationKey":"evt-77","details":{},"requestedAt":"2026-11-25T11:59:00+00:00","alertOnly":true}}""" + "\n");
        await using var h = WorkflowHarness.Create(services: s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(path, NullLogger<FileRollbackJournal>.Instance)));

        var sameSource = await h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.Alert, dedup: "evt-77"));
        var otherSource = await h.Dispatcher.DispatchAsync(h.Request(type: RollbackTriggerType.PolicyBreach, dedup: "evt-77"));

        Assert.Equal(DispatchStatus.Duplicate, sameSource.Status);
        Assert.Equal(DispatchStatus.Started, otherSource.Status);
    }
}
