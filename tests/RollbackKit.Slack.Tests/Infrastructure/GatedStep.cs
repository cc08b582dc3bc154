using RollbackKit.Playbooks;

namespace RollbackKit.Slack.Tests.Infrastructure;

/// <summary>
/// A repeatable playbook step (type <c>gated</c>) that, while <see cref="Block"/> is set, signals <see cref="Entered"/> and
/// waits until its run is cancelled (the host stops mid-step); otherwise it succeeds.
/// </summary>
public sealed class GatedStep : IPlaybookStepFactory, IPlaybookStep, IRepeatableStep
{
    private int _runs;

    public string Type => "gated";

    public string Name => Type;

    public bool IsRepeatable => true;

    public bool Block { get; set; } = true;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Runs => Volatile.Read(ref _runs);

    public IPlaybookStep Create(PlaybookStepDefinition definition) => this;

    public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        if (Block)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return StepResult.Success("undone");
    }

    /// <summary>The workflow options of the resume tests: one gated step, no verification or evidence, the journal at <paramref name="journalPath"/>.</summary>
    public static void Configure(RollbackKitOptions options, string journalPath)
    {
        options.Workflow.JournalPath = journalPath;
        options.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "gated", Name = "undo-rollout", Timeout = TimeSpan.FromDays(1) }] };
        options.Workflow.EvidenceEnabled = false;
        options.Workflow.VerificationEnabled = false;
        options.Workflow.ProgressInterval = TimeSpan.Zero;
        options.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
    }
}
