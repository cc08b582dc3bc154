using RollbackKit.Journal;

namespace RollbackKit.Groups;

/// <summary>The order and progress of the members of one group's rollback.</summary>
internal sealed class GroupRunState
{
    private readonly Dictionary<string, MemberState> _members = new(StringComparer.Ordinal);

    public GroupRunState(GroupPlan plan, string? requestedFor)
    {
        Plan = plan;
        RequestedFor = requestedFor;
        foreach (var member in plan.Sequence)
        {
            _members[member.Id] = new MemberState(member);
        }
    }

    /// <summary>The group as configured.</summary>
    public GroupPlan Plan { get; }

    /// <summary>The member the request that started the rollback was for.</summary>
    public string? RequestedFor { get; }

    /// <summary>Each member's state, in rollback order.</summary>
    public IEnumerable<MemberState> Members
    {
        get
        {
            foreach (var member in Plan.Sequence)
            {
                yield return _members[member.Id];
            }
        }
    }

    /// <summary>The state of a member.</summary>
    public MemberState this[string targetId] => _members[targetId];

    /// <summary>Loads what the journal says each member already did (a resumed rollback).</summary>
    public void Load(IReadOnlyDictionary<string, MemberProgress> progress)
    {
        foreach (var (id, member) in progress)
        {
            if (_members.TryGetValue(id, out var state))
            {
                state.CompletedSteps.UnionWith(member.CompletedSteps);
                foreach (var (index, step) in member.InterruptedSteps)
                {
                    state.InterruptedSteps[index] = step;
                }
            }
        }
    }

    /// <summary>The group part of the audit record.</summary>
    public GroupRunRecord ToRecord() => new()
    {
        GroupId = Plan.Id,
        Order = Plan.Order.ToString(),
        RequestedFor = RequestedFor,
        Members = [.. Members.Select(static m => m.ToRecord())],
    };
}

/// <summary>One member of a group's rollback.</summary>
internal sealed class MemberState(RollbackTarget target)
{
    private readonly Lock _gate = new();
    private readonly List<StepRecord> _steps = [];

    public RollbackTarget Target { get; } = target;

    /// <summary>Indexes of the member's steps completed (by this process or, for a resumed rollback, an earlier one).</summary>
    public HashSet<int> CompletedSteps { get; } = [];

    /// <summary>Steps an earlier process started and did not finish, by index.</summary>
    public Dictionary<int, StepRecord> InterruptedSteps { get; } = [];

    /// <summary>See <see cref="GroupMemberRecord.Outcome"/>.</summary>
    public string Outcome { get; set; } = "Pending";

    public string? Message { get; set; }

    public VerificationRecord? Verification { get; set; }

    /// <summary>The member's playbook budget, once its playbook ran.</summary>
    public TimeSpan Budget { get; set; }

    public void AddSteps(IEnumerable<StepRecord> steps)
    {
        lock (_gate)
        {
            _steps.AddRange(steps);
        }
    }

    public GroupMemberRecord ToRecord()
    {
        StepRecord[] steps;
        lock (_gate)
        {
            steps = [.. _steps];
        }

        return new GroupMemberRecord { TargetId = Target.Id, Outcome = Outcome, Steps = steps, Verification = Verification, Message = Message };
    }
}
