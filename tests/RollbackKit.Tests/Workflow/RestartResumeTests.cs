using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

public sealed class RestartResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-resume-" + Guid.NewGuid().ToString("N"));

    private string JournalPath => Path.Combine(_dir, "journal.jsonl");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private WorkflowHarness Create(UnfinishedWorkflowPolicy policy = UnfinishedWorkflowPolicy.Resume) => WorkflowHarness.Create(
        o =>
        {
            o.Playbook = new PlaybookDefinition
            {
                Steps =
                [
                    new PlaybookStepDefinition { Type = "test", Name = "undo" },
                    new PlaybookStepDefinition { Type = "test", Name = "check" },
                ],
            };
            o.Workflow.UnfinishedWorkflows = policy;
        },
        s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance)));

    /// <summary>Starts a rollback in a first "process" and stops that process while the second step runs.</summary>
    private async Task<string> CrashMidPlaybookAsync()
    {
        var first = Create();
        var inSecondStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        first.Step = async (_, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                return StepResult.Success("undone");
            }

            inSecondStep.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Success();
        };

        var result = await first.Dispatcher.DispatchAsync(first.Request());
        Assert.Equal(DispatchStatus.Started, result.Status);
        await inSecondStep.Task.WaitAsync(WorkflowHarness.WaitLimit);
        await first.DisposeAsync();
        Assert.Equal(2, calls);
        return result.RollbackId!;
    }

    [Fact]
    public async Task Restart_MidPlaybook_InterruptedStepPausesForDecisionThenRunsOnce()
    {
        var rollbackId = await CrashMidPlaybookAsync();
        var entriesAfterCrash = await new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance).ReadAsync();
        Assert.DoesNotContain(entriesAfterCrash, e => e.Kind == JournalEntryKind.Completed);
        Assert.Equal(RollbackState.RollingBack, entriesAfterCrash.Last(e => e.State is not null).State);
        var started = entriesAfterCrash.Last(e => e.Kind == JournalEntryKind.StepStarted).Step!;
        Assert.Equal("check", started.Name);
        Assert.Contains($"{rollbackId}:1:1", started.Message, StringComparison.Ordinal);

        await using var second = Create();
        await second.StartHostedServicesAsync();
        var question = await second.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.Equal(rollbackId, question.RollbackId);
        Assert.Equal("check", question.StepName);
        Assert.Contains("interrupted during step check", question.Message, StringComparison.Ordinal);
        Assert.Equal(0, second.StepRuns); // not re-run without a decision

        Assert.True(await second.Gate.DecideAsync(question.ApprovalId!, ApprovalDecision.Approved, "alice"));
        var status = await second.WaitAsync(rollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.True(status.Resumed);
        Assert.Equal(1, second.StepRuns); // only "check": "undo" had completed before the crash
        var entries = await second.Journal.ReadAsync("app");
        Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested);
        var audit = Assert.Single(entries, e => e.Kind == JournalEntryKind.Completed).Audit!;
        Assert.True(audit.Resumed);
        Assert.Equal(rollbackId, audit.RollbackId);
    }

    [Fact]
    public async Task Restart_InterruptedStepRejected_NeedsAttentionWithoutRunning()
    {
        var rollbackId = await CrashMidPlaybookAsync();
        await using var second = Create();
        await second.StartHostedServicesAsync();
        var question = await second.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.True(await second.Gate.DecideAsync(question.ApprovalId!, ApprovalDecision.Rejected, "bob"));

        var status = await second.WaitAsync(rollbackId);

        Assert.Equal(RollbackState.NeedsAttention, status.State);
        Assert.Equal(0, second.StepRuns);
    }

    [Theory]
    [InlineData(StepEffect.Applied, true, 0)]
    [InlineData(StepEffect.NotApplied, false, 1)]
    [InlineData(StepEffect.Unknown, true, 1)]
    public async Task Restart_InterruptedProvableOrRepeatableStep_SkippedOrRerunWithoutAsking(StepEffect effect, bool repeatable, int expectedRuns)
    {
        var factory = new ProbingStepFactory(effect, repeatable);
        var first = WorkflowHarness.Create(
            o => o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "probing", Name = "undo" }] },
            s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance)),
            after: s => s.AddSingleton<IPlaybookStepFactory>(factory));
        var result = await first.Dispatcher.DispatchAsync(first.Request());
        await factory.Running.Task.WaitAsync(WorkflowHarness.WaitLimit);
        await first.DisposeAsync();
        Assert.Equal(1, factory.Runs);

        factory.Block = false;
        await using var second = WorkflowHarness.Create(
            o => o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "probing", Name = "undo" }] },
            s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance)),
            after: s => s.AddSingleton<IPlaybookStepFactory>(factory));
        await second.StartHostedServicesAsync();
        var status = await second.WaitAsync(result.RollbackId);

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(1 + expectedRuns, factory.Runs);
        Assert.DoesNotContain(second.Notifier.Events, e => e.Kind == RollbackEventKind.AwaitingApproval);
    }

    private sealed class ProbingStepFactory(StepEffect effect, bool repeatable) : IPlaybookStepFactory
    {
        private int _runs;

        public string Type => "probing";

        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Block { get; set; } = true;

        public int Runs => Volatile.Read(ref _runs);

        public IPlaybookStep Create(PlaybookStepDefinition definition) => new Step(this, definition.Name ?? Type);

        private sealed class Step(ProbingStepFactory factory, string name) : IPlaybookStep, IStepEffectProbe, IRepeatableStep
        {
            public string Name => name;

            public bool IsRepeatable => factory._repeatable;

            public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref factory._runs);
                if (factory.Block)
                {
                    factory.Running.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                return StepResult.Success();
            }

            public ValueTask<StepEffect> ProbeEffectAsync(PlaybookStepContext context, CancellationToken cancellationToken) => ValueTask.FromResult(factory._effect);
        }

        private readonly StepEffect _effect = effect;

        private readonly bool _repeatable = repeatable;
    }

    [Fact]
    public async Task Restart_RequestBeforeResume_JoinsUnfinishedInsteadOfStartingSecond()
    {
        var rollbackId = await CrashMidPlaybookAsync();
        await using var second = Create();
        var result = await second.Dispatcher.DispatchAsync(second.Request());
        Assert.Equal(DispatchStatus.Joined, result.Status);
        Assert.Equal(rollbackId, result.RollbackId);
        await second.ApproveNextAsync();
        Assert.Equal(RollbackState.RolledBack, (await second.WaitAsync(rollbackId)).State);
        await second.StartHostedServicesAsync();
        Assert.Equal(1, second.StepRuns);
        Assert.Single(await second.Journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Requested);
    }

    [Fact]
    public async Task Restart_MarkForAttentionPolicy_EscalatesWithoutRunning()
    {
        var rollbackId = await CrashMidPlaybookAsync();
        await using var second = Create(UnfinishedWorkflowPolicy.MarkForAttention);
        await second.StartHostedServicesAsync();
        var escalation = await second.Notifier.WaitForAsync(RollbackEventKind.Escalated);
        Assert.Equal(rollbackId, escalation.RollbackId);
        Assert.Contains("unfinished", escalation.Message, StringComparison.Ordinal);
        Assert.Equal(0, second.StepRuns);
        var audit = (await second.History.GetRollbacksAsync("app")).Single();
        Assert.Equal(RollbackState.NeedsAttention, audit.State);
    }

    [Fact]
    public async Task Restart_TornLastLine_SkippedAndResumed()
    {
        var rollbackId = await CrashMidPlaybookAsync();
        await File.AppendAllTextAsync(JournalPath, "{\"timestamp\":\"2026-11-25T12:00:00+00:00\",\"kind\":\"Transi");
        await using var second = Create();
        await second.StartHostedServicesAsync();
        await second.ApproveNextAsync();
        Assert.Equal(RollbackState.RolledBack, (await second.WaitAsync(rollbackId)).State);
        var lines = await File.ReadAllLinesAsync(JournalPath);
        Assert.Contains(lines, l => l.EndsWith("\"kind\":\"Transi", StringComparison.Ordinal));
        Assert.Single(await second.Journal.ReadAsync("app"), e => e.Kind == JournalEntryKind.Completed);
    }

    [Fact]
    public async Task Restart_RequestedLineInvalid_HostStartsRollbackNeedsAttention()
    {
        var rollbackId = await CrashMidPlaybookAsync();
        var lines = await File.ReadAllLinesAsync(JournalPath);
        var requested = Array.FindIndex(lines, l => l.Contains("\"kind\":\"Requested\"", StringComparison.Ordinal));
        lines[requested] = lines[requested].Replace("\"target\":{\"id\":\"app\"", "\"target\":{\"idx\":\"app\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(JournalPath, lines);

        await using var second = Create();
        await second.StartHostedServicesAsync();

        var attention = await second.Notifier.WaitForAsync(e => e.RollbackId == rollbackId && e.Kind == RollbackEventKind.Escalated);
        Assert.Contains("incomplete", attention.Message, StringComparison.Ordinal);
        var status = await second.Controller.WaitForCompletionAsync(rollbackId).WaitAsync(WorkflowHarness.WaitLimit);
        Assert.Equal(RollbackState.NeedsAttention, status.State);
        Assert.Equal(0, second.StepRuns);
        var corrupt = await File.ReadAllLinesAsync(JournalPath + ".corrupt");
        Assert.Contains($"\"line\":{requested + 1}", Assert.Single(corrupt), StringComparison.Ordinal);
        await second.Notifier.WaitForAsync(e => e.Kind == RollbackEventKind.Alert && e.Message.Contains("corrupt", StringComparison.Ordinal));
    }
}
