using System.Diagnostics.CodeAnalysis;

namespace RollbackKit;

/// <summary>The configured targets, by id and by identity labels.</summary>
internal sealed class TargetCatalog : IRollbackTargetCatalog
{
    private readonly Dictionary<string, RollbackTarget> _byId;

    public TargetCatalog(IReadOnlyList<RollbackTarget> targets)
    {
        Targets = targets;
        _byId = new Dictionary<string, RollbackTarget>(targets.Count, StringComparer.Ordinal);
        foreach (var target in targets)
        {
            _byId.TryAdd(target.Id, target);
        }
    }

    public IReadOnlyList<RollbackTarget> Targets { get; }

    public bool TryGet(string id, [NotNullWhen(true)] out RollbackTarget? target) => _byId.TryGetValue(id, out target);

    public bool TryMatch(IReadOnlyDictionary<string, string> labels, [NotNullWhen(true)] out RollbackTarget? target)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.TryGetValue("target", out var id) && _byId.TryGetValue(id, out target))
        {
            return true;
        }

        foreach (var candidate in Targets)
        {
            // Identity labels only: name must match; namespace must match when both sides have one.
            if (!candidate.Labels.TryGetValue(TargetLabels.Name, out var name)
                || !labels.TryGetValue(TargetLabels.Name, out var otherName)
                || !string.Equals(name, otherName, StringComparison.Ordinal))
            {
                continue;
            }

            if (candidate.Labels.TryGetValue(TargetLabels.Namespace, out var ns)
                && labels.TryGetValue(TargetLabels.Namespace, out var otherNs)
                && !string.Equals(ns, otherNs, StringComparison.Ordinal))
            {
                continue;
            }

            target = candidate;
            return true;
        }

        target = null;
        return false;
    }
}
