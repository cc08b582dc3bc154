namespace RollbackKit.Groups;

/// <summary>The order in which the members of a coordinated group are rolled back.</summary>
public enum RollbackGroupOrder
{
    /// <summary>One after the other, last listed first: the reverse of <see cref="RollbackGroupDefinition.Targets"/> (list targets in
    /// deploy order and the last one deployed is the first one rolled back). The default.</summary>
    Reverse = 0,

    /// <summary>One after the other, in the order of <see cref="RollbackGroupDefinition.Targets"/>.</summary>
    Listed = 1,

    /// <summary>All members at once; when one fails the others still finish their playbooks and the group fails.</summary>
    Parallel = 2,

    /// <summary>One after the other, in the order of <see cref="RollbackGroupDefinition.Sequence"/>.</summary>
    Explicit = 3,
}

/// <summary>
/// A coordinated rollback group (<c>RollbackKit:Groups:N</c>): targets that are rolled back together. A request on any member
/// rolls the whole group back once, as one rollback (one id, one approval, one notification thread), member after member in
/// <see cref="Order"/>; a member that fails stops the members after it and the group's rollback fails and escalates.
/// </summary>
public sealed class RollbackGroupDefinition
{
    /// <summary>Unique id of the group, for example <c>checkout-stack</c>; must differ from every target id. Required.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The member target ids (each a configured target, each in at most one group), typically in deploy order. Required,
    /// at least one.</summary>
    public List<string> Targets { get; set; } = [];

    /// <summary>The rollback order. Default: <see cref="RollbackGroupOrder.Reverse"/>, or <see cref="RollbackGroupOrder.Explicit"/>
    /// when <see cref="Sequence"/> is set.</summary>
    public RollbackGroupOrder? Order { get; set; }

    /// <summary>For <see cref="RollbackGroupOrder.Explicit"/>: every member exactly once, in the order to roll them back.</summary>
    public List<string> Sequence { get; set; } = [];
}
