using System.Diagnostics.CodeAnalysis;

namespace RollbackKit.Groups;

/// <summary>A configured group as the dispatcher and the workflow use it: its members resolved, in the order they roll back.</summary>
internal sealed class GroupPlan
{
    public GroupPlan(string id, RollbackGroupOrder order, IReadOnlyList<RollbackTarget> listed, IReadOnlyList<RollbackTarget> sequence)
    {
        Id = id;
        Order = order;
        Listed = listed;
        Sequence = sequence;
        Target = new RollbackTarget(id, new Dictionary<string, string>(StringComparer.Ordinal) { [GroupCatalog.GroupLabel] = id });
    }

    /// <summary>The group id (also the key of its lock, its journal records and its dispatcher state).</summary>
    public string Id { get; }

    /// <summary>The order mode.</summary>
    public RollbackGroupOrder Order { get; }

    /// <summary>The members as listed in <c>Targets</c>.</summary>
    public IReadOnlyList<RollbackTarget> Listed { get; }

    /// <summary>The members in the order they are rolled back (for <see cref="RollbackGroupOrder.Parallel"/>, as listed).</summary>
    public IReadOnlyList<RollbackTarget> Sequence { get; }

    /// <summary>The target a group's rollback runs as: the group id, labelled <c>group</c>.</summary>
    public RollbackTarget Target { get; }

    /// <summary>Whether all members run at once.</summary>
    public bool Parallel => Order == RollbackGroupOrder.Parallel;

    /// <summary>A member by id.</summary>
    public RollbackTarget? Member(string targetId)
    {
        foreach (var member in Listed)
        {
            if (string.Equals(member.Id, targetId, StringComparison.Ordinal))
            {
                return member;
            }
        }

        return null;
    }
}

/// <summary>The configured coordinated groups, by id and by member target id. Invalid definitions are left out (validation at start
/// refuses them before anything runs).</summary>
internal sealed class GroupCatalog
{
    /// <summary>The label a group's target carries with the group id.</summary>
    public const string GroupLabel = "group";

    private readonly Dictionary<string, GroupPlan> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GroupPlan> _byMember = new(StringComparer.Ordinal);

    public GroupCatalog(IEnumerable<RollbackGroupDefinition> definitions, IRollbackTargetCatalog targets)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var definition in definitions)
        {
            if (definition is null || string.IsNullOrWhiteSpace(definition.Id) || _byId.ContainsKey(definition.Id))
            {
                continue;
            }

            var listed = new List<RollbackTarget>();
            foreach (var id in definition.Targets)
            {
                if (id is not null && targets.TryGet(id, out var target) && !_byMember.ContainsKey(id) && !listed.Contains(target))
                {
                    listed.Add(target);
                }
            }

            if (listed.Count == 0)
            {
                continue;
            }

            var order = OrderOf(definition);
            var plan = new GroupPlan(definition.Id, order, listed, SequenceOf(order, listed, definition.Sequence));
            _byId[plan.Id] = plan;
            foreach (var member in listed)
            {
                _byMember[member.Id] = plan;
            }
        }
    }

    /// <summary>An empty catalog.</summary>
    public static GroupCatalog Empty { get; } = new([], new TargetCatalog([]));

    /// <summary>Whether any group is configured.</summary>
    public bool Any => _byId.Count > 0;

    /// <summary>The groups, in configuration order.</summary>
    public IEnumerable<GroupPlan> Groups => _byId.Values;

    /// <summary>The group with id <paramref name="groupId"/>.</summary>
    public bool TryGet(string groupId, [NotNullWhen(true)] out GroupPlan? plan) => _byId.TryGetValue(groupId, out plan);

    /// <summary>The group <paramref name="targetId"/> is a member of.</summary>
    public bool TryGetByMember(string targetId, [NotNullWhen(true)] out GroupPlan? plan) => _byMember.TryGetValue(targetId, out plan);

    /// <summary>The effective order of a definition: <see cref="RollbackGroupDefinition.Order"/>, else Explicit with a sequence, else Reverse.</summary>
    public static RollbackGroupOrder OrderOf(RollbackGroupDefinition definition) =>
        definition.Order ?? (definition.Sequence.Count > 0 ? RollbackGroupOrder.Explicit : RollbackGroupOrder.Reverse);

    private static List<RollbackTarget> SequenceOf(RollbackGroupOrder order, List<RollbackTarget> listed, List<string> sequence)
    {
        switch (order)
        {
            case RollbackGroupOrder.Reverse:
                var reversed = new List<RollbackTarget>(listed);
                reversed.Reverse();
                return reversed;
            case RollbackGroupOrder.Explicit:
                var explicitOrder = new List<RollbackTarget>(listed.Count);
                foreach (var id in sequence)
                {
                    var member = listed.Find(t => string.Equals(t.Id, id, StringComparison.Ordinal));
                    if (member is not null && !explicitOrder.Contains(member))
                    {
                        explicitOrder.Add(member);
                    }
                }

                // A member the sequence leaves out (refused at start) still rolls back, last.
                foreach (var member in listed)
                {
                    if (!explicitOrder.Contains(member))
                    {
                        explicitOrder.Add(member);
                    }
                }

                return explicitOrder;
            default:
                return [.. listed];
        }
    }
}
