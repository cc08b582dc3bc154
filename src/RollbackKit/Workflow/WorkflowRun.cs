using System.Diagnostics;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Playbooks;

namespace RollbackKit.Workflow;

/// <summary>The live state of one rollback workflow.</summary>
internal sealed partial class WorkflowRun
{
    private readonly Lock _gate = new();
    private int _joined;

    public WorkflowRun(string rollbackId, RollbackTarget target, RollbackRequest request, RollbackState state, DateTimeOffset acceptedAt, bool resumed)
    {
        RollbackId = rollbackId;
        Target = target;
        Request = request;
        State = state;
        AcceptedAt = acceptedAt;
        Resumed = resumed;
    }

    public string RollbackId { get; }

    public RollbackTarget Target { get; }

    public RollbackRequest Request { get; }

    public DateTimeOffset AcceptedAt { get; }

    public bool Resumed { get; }

    public RollbackState State { get; set; }

    /// <summary>Why the journaled history of a resumed rollback cannot be trusted, or <see langword="null"/>. Such a run's one
    /// move is to <see cref="RollbackState.NeedsAttention"/> (see <see cref="RollbackStateMachine.CanTransition(RollbackState, RollbackState, bool)"/>).</summary>
    public string? HistoryProblem { get; init; }

    public IRollbackLockHandle? LockHandle { get; set; }

    public CancellationTokenSource? Cancellation { get; set; }

    public HashSet<int> CompletedSteps { get; } = [];

    /// <summary>Steps a previous process started and did not finish, by index (resumed rollbacks only).</summary>
    public Dictionary<int, Journal.StepRecord> InterruptedSteps { get; } = [];

    public List<StepRecord> Steps { get; } = [];

    public EvidenceCollector Evidence { get; } = new();

    public string? ApprovalId { get; set; }

    public string? ApprovedBy { get; set; }

    public string? ApprovalComment { get; set; }

    public DateTimeOffset? PlaybookStartedAt { get; set; }

    public TimeSpan PlaybookDuration { get; set; }

    public TimeSpan Budget { get; set; }

    public long PlaybookStartTimestamp { get; set; }

    /// <summary>The context of the dispatch span that started (or resumed) the run: the parent of its <c>rollbackkit.rollback</c> span.</summary>
    public ActivityContext ParentContext { get; set; }

    public VerificationRecord? Verification { get; set; }

    /// <summary>The step running now, from 0; -1 when none runs.</summary>
    public int CurrentStepIndex { get; set; } = -1;

    /// <summary>The name of the step running now.</summary>
    public string? CurrentStepName { get; set; }

    /// <summary>How many steps the playbook has, once it started.</summary>
    public int StepCount { get; set; }

    /// <summary>Verification checks made so far.</summary>
    public int ChecksTotal { get; set; }

    /// <summary>Verification checks that passed so far.</summary>
    public int ChecksPassed { get; set; }

    public string? Message { get; set; }

    public string? EvidencePath { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public int JoinedRequests => Volatile.Read(ref _joined);

    public TaskCompletionSource<RollbackStatus> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void AddJoined() => Interlocked.Increment(ref _joined);

    public void AddStep(StepRecord record)
    {
        lock (_gate)
        {
            Steps.Add(record);
        }
    }

    public StepRecord[] StepsSnapshot()
    {
        lock (_gate)
        {
            return [.. Steps];
        }
    }

    public RollbackStatus ToStatus() => new()
    {
        RollbackId = RollbackId,
        TargetId = Target.Id,
        State = State,
        Request = Request,
        AcceptedAt = AcceptedAt,
        CompletedAt = CompletedAt,
        ApprovalId = State == RollbackState.AwaitingApproval ? ApprovalId : null,
        Message = Message,
        EvidencePath = EvidencePath,
        Resumed = Resumed,
    };
}

/// <summary>Per-target dispatcher state; <see cref="Gate"/> serialises decisions for the target.</summary>
internal sealed class TargetRuntime
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public WorkflowRun? Active { get; set; }

    public RollbackStatus? Last { get; set; }

    public List<DateTimeOffset> Attempts { get; } = [];

    /// <summary>The last rollback of the target that ran to an end (rolled back or failed), of any origin: starts the cooldown.</summary>
    public FinishedRollback? LastFinished { get; set; }

    /// <summary>Unfinished rollbacks found in the journal at initialisation that have not been taken over yet, oldest first
    /// (more than one only when the journal's history of some is inconsistent: each is still taken over, none dropped).</summary>
    public Queue<UnfinishedRollback> Unfinished { get; } = new();
}
