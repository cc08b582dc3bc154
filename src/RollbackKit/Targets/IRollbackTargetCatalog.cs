namespace RollbackKit;

/// <summary>The targets RollbackKit watches, as configured. Registered as a singleton by <c>AddRollbackKit()</c>.</summary>
public interface IRollbackTargetCatalog
{
    /// <summary>All configured targets, in configuration order.</summary>
    IReadOnlyList<RollbackTarget> Targets { get; }

    /// <summary>Finds a target by id (ordinal).</summary>
    /// <param name="id">The target id.</param>
    /// <param name="target">The target when found.</param>
    /// <returns><see langword="true"/> when a target with that id exists.</returns>
    bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RollbackTarget? target);

    /// <summary>
    /// Finds the target whose <c>name</c> label (and <c>namespace</c>, when both have one) equals that of <paramref name="labels"/>
    /// (used to map an alert or incident onto a target), or whose id equals the <c>target</c> label.
    /// </summary>
    /// <param name="labels">Labels of the external signal.</param>
    /// <param name="target">The matching target.</param>
    /// <returns><see langword="true"/> when a target matched.</returns>
    bool TryMatch(IReadOnlyDictionary<string, string> labels, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RollbackTarget? target);
}
