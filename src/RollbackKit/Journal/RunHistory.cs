using RollbackKit.Approval;

namespace RollbackKit.Journal;

/// <summary>
/// One rollback's journaled history as it is replayed, record by record, checked against what the workflow writes: transitions
/// only as <see cref="RollbackStateRules.CanFollow"/> allows, steps only while rolling back, one at a time, in index order within
/// a process's run (a <c>Transition</c> starts a new one: a resumed rollback may start an interrupted step again or finish it),
/// a step finished only after it started, nothing after the end. The first inconsistency found is kept in
/// <see cref="Incomplete"/>. A coordinated group's rollback is kept under the group id (its <paramref name="owner"/>) and
/// journals each member's records under the member's id: the step rules then hold per member (members of a parallel group
/// run their steps at the same time), and a <c>Transition</c> of a member restarts that member's step order only. Pure.
/// </summary>
/// <param name="request">The request of its <c>Requested</c> record, or a stand-in when that record is lost.</param>
/// <param name="at">When it was accepted (or first seen).</param>
/// <param name="requested">Whether <paramref name="request"/> comes from its <c>Requested</c> record.</param>
/// <param name="owner">The target id its first record is kept under (a group id for a group's rollback).</param>
internal sealed class RunHistory(RollbackRequest request, DateTimeOffset at, bool requested, string? owner = null)
{
    private readonly StepTrack _own = new();
    private readonly Dictionary<string, StepTrack> _members = new(StringComparer.Ordinal);
    private bool _ended;
    private bool _completed;
    private bool _hasRequest = requested;
    private bool _inconsistentAfterEnd;

    /// <summary>The request (a stand-in when the <c>Requested</c> record is lost).</summary>
    public RollbackRequest Request { get; private set; } = request;

    /// <summary>The last state journaled.</summary>
    public RollbackState State { get; private set; } = RollbackState.RollbackPending;

    /// <summary>When it was accepted (or first seen).</summary>
    public DateTimeOffset At { get; } = at;

    /// <summary>The target id the rollback's records are kept under.</summary>
    public string Owner { get; } = owner ?? request.Target.Id;

    /// <summary>Indexes of the steps that completed successfully.</summary>
    public HashSet<int> Steps => _own.Steps;

    /// <summary>Steps started and not finished, by index.</summary>
    public Dictionary<int, StepRecord> Started => _own.Started;

    /// <summary>The progress of each member of a group's rollback, by member target id.</summary>
    public Dictionary<string, MemberProgress> MemberProgress()
    {
        var result = new Dictionary<string, MemberProgress>(StringComparer.Ordinal);
        foreach (var (member, track) in _members)
        {
            result[member] = new MemberProgress(track.Steps, track.Started);
        }

        return result;
    }

    /// <summary>Who let it past the gate, if anyone.</summary>
    public string? ApprovedBy { get; private set; }

    /// <summary>The first inconsistency found, or <see langword="null"/>.</summary>
    public string? Incomplete { get; set; }

    /// <summary>Whether an inconsistency was followed by the move to <see cref="RollbackState.NeedsAttention"/> that answers it.</summary>
    public bool Resolved { get; private set; }

    /// <summary>Whether the rollback must be reported: unfinished, or inconsistent after its end and not yet marked for attention.</summary>
    public bool NeedsReport => !(_ended || _completed) || (_inconsistentAfterEnd && !Resolved);

    /// <summary>Whether records of <paramref name="kind"/> tell a rollback's progress (and so are checked).</summary>
    public static bool IsProgress(JournalEntryKind kind) => kind is JournalEntryKind.Requested or JournalEntryKind.Transition
        or JournalEntryKind.StepStarted or JournalEntryKind.StepCompleted or JournalEntryKind.ApprovalDecided or JournalEntryKind.Completed;

    /// <summary>Replays <paramref name="entry"/>, a progress record of this rollback.</summary>
    public void Apply(JournalEntry entry)
    {
        var ended = _ended || _completed;
        switch (entry.Kind)
        {
            case JournalEntryKind.Requested when !_hasRequest && entry.Request is { } request:
                Request = request;
                _hasRequest = true;
                Incomplete = $"records of it precede its Requested record ({Incomplete})";
                Resolved = false;
                break;
            case JournalEntryKind.Requested:
                Flag("a second Requested record");
                break;
            case JournalEntryKind.Transition when entry.State is { } to:
                Transition(to, ended, entry.TargetId);
                break;
            case JournalEntryKind.Transition:
                Flag("a Transition record without a state");
                break;
            case JournalEntryKind.StepStarted:
                StepStarted(Track(entry.TargetId), entry.Step, ended);
                break;
            case JournalEntryKind.StepCompleted:
                StepCompleted(Track(entry.TargetId), entry.Step, ended);
                break;
            case JournalEntryKind.ApprovalDecided when ended:
                FlagAfterEnd("an approval decision");
                break;
            case JournalEntryKind.ApprovalDecided when entry.Actor is { } actor
                && (entry.Decision == ApprovalDecision.Approved || (entry.Decision == ApprovalDecision.TimedOut && actor == "timeout")):
                // Approved, or a high-severity acknowledgement that timed out (which proceeds): resume past the gate.
                ApprovedBy = actor;
                break;
            case JournalEntryKind.Completed when _completed:
                FlagAfterEnd("a second Completed record");
                break;
            case JournalEntryKind.Completed:
                _completed = true;
                if ((entry.Audit?.State ?? entry.State) is { } final && final.IsTerminal())
                {
                    State = final;
                }

                break;
        }
    }

    /// <summary>The step track of the records kept under <paramref name="targetId"/>: the rollback's own, or a group member's.</summary>
    private StepTrack Track(string? targetId)
    {
        if (targetId is null || string.Equals(targetId, Owner, StringComparison.Ordinal))
        {
            return _own;
        }

        if (!_members.TryGetValue(targetId, out var track))
        {
            _members[targetId] = track = new StepTrack();
        }

        return track;
    }

    private void Transition(RollbackState to, bool ended, string? targetId)
    {
        // A new process's run of the rollback (or its next phase): step order restarts; a group member's transition restarts
        // that member's order only.
        var track = Track(targetId);
        track.Restart();
        if (ReferenceEquals(track, _own))
        {
            foreach (var member in _members.Values)
            {
                member.Restart();
            }
        }

        if (to == RollbackState.NeedsAttention && Incomplete is not null && !Resolved)
        {
            // The answer to the inconsistency: the rollback was marked for attention. Its end records may follow.
            Resolved = true;
            State = to;
            _ended = true;
            _completed = false;
            return;
        }

        if (ended)
        {
            FlagAfterEnd($"a Transition to {to}");
        }
        else if (!RollbackStateRules.CanFollow(State, to))
        {
            Flag($"a transition from {State} to {to}, which the workflow never makes");
        }

        State = to;
        _ended |= to.IsTerminal();
    }

    private void StepStarted(StepTrack track, StepRecord? step, bool ended)
    {
        if (step is null)
        {
            Flag("a StepStarted record without its step");
            return;
        }

        var index = step.Index;
        if (ended)
        {
            FlagAfterEnd($"StepStarted of step {index}");
        }
        else if (State != RollbackState.RollingBack)
        {
            Flag($"StepStarted of step {index} in state {State}");
        }
        else if (track.Steps.Contains(index))
        {
            Flag($"StepStarted of step {index}, which had already completed");
        }
        else if (track.Running is { } running)
        {
            Flag($"StepStarted of step {index} while step {running} was still running");
        }
        else if (index <= track.LastStarted || index < 0)
        {
            Flag($"StepStarted of step {index} out of order (after step {track.LastStarted})");
        }

        track.Started[index] = step;
        track.Running = index;
        track.LastStarted = Math.Max(track.LastStarted, index);
    }

    private void StepCompleted(StepTrack track, StepRecord? step, bool ended)
    {
        if (step is null)
        {
            Flag("a StepCompleted record without its step");
            return;
        }

        var index = step.Index;
        if (ended)
        {
            FlagAfterEnd($"StepCompleted of step {index}");
        }
        else if (State != RollbackState.RollingBack)
        {
            Flag($"StepCompleted of step {index} in state {State}");
        }
        else if (!track.Started.ContainsKey(index))
        {
            Flag($"StepCompleted of step {index} without a StepStarted");
        }
        else if (track.Running is { } running && running != index)
        {
            Flag($"StepCompleted of step {index} while step {running} was running");
        }

        track.Started.Remove(index);
        if (track.Running == index)
        {
            track.Running = null;
        }

        if (step.Succeeded)
        {
            track.Steps.Add(index);
        }
    }

    private void Flag(string what)
    {
        if (Incomplete is null || Resolved)
        {
            Incomplete = what;
            Resolved = false;
        }
    }

    private void FlagAfterEnd(string what)
    {
        Flag($"{what} after it ended in {State}");
        _inconsistentAfterEnd = true;
    }

    /// <summary>The step order of the records kept under one target id.</summary>
    private sealed class StepTrack
    {
        public int LastStarted { get; set; } = -1;

        public int? Running { get; set; }

        public HashSet<int> Steps { get; } = [];

        public Dictionary<int, StepRecord> Started { get; } = [];

        public void Restart()
        {
            LastStarted = -1;
            Running = null;
        }
    }
}
