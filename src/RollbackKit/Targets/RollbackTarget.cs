namespace RollbackKit;

/// <summary>
/// Something that was deployed and may be rolled back: a service, a Deployment or a Helm release.
/// Its <see cref="Labels"/> fill query templates (<c>{{namespace}}</c>, <c>{{name}}</c>, <c>{{version}}</c>, …).
/// </summary>
public sealed class RollbackTarget
{
    private static readonly IReadOnlyDictionary<string, string> s_noLabels =
        new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Creates a target.</summary>
    /// <param name="id">Unique id of the target, for example <c>payments/checkout</c>.</param>
    /// <param name="labels">Labels that fill query templates; copied.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null or white space.</exception>
    public RollbackTarget(string id, IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        Labels = labels is null || labels.Count == 0
            ? s_noLabels
            : new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    /// <summary>Unique id of the target.</summary>
    public string Id { get; }

    /// <summary>Labels of the target (ordinal keys). Well-known keys are listed in <see cref="TargetLabels"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Returns the label value, or <see langword="null"/> when the target has no such label.</summary>
    /// <param name="name">The label name.</param>
    public string? GetLabel(string name) => Labels.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>Well-known target label names.</summary>
public static class TargetLabels
{
    /// <summary>The Kubernetes namespace (<c>namespace</c>).</summary>
    public const string Namespace = "namespace";

    /// <summary>The workload or release name (<c>name</c>).</summary>
    public const string Name = "name";

    /// <summary>The deployed version (<c>version</c>).</summary>
    public const string Version = "version";

    /// <summary>A label selector that picks the canary's series (<c>canarySelector</c>).</summary>
    public const string CanarySelector = "canarySelector";

    /// <summary>A label selector that picks the baseline's series (<c>baselineSelector</c>).</summary>
    public const string BaselineSelector = "baselineSelector";
}
