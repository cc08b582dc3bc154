namespace RollbackKit.Operations;

/// <summary>The kill switch: whether automatic rollback is enabled, and the last change made by an operator.</summary>
public sealed class AutoRollbackState
{
    /// <summary>Whether automatic rollback is enabled globally (<see langword="false"/> turns automatic requests into alerts).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Who made the last change, or <see langword="null"/> when it was never changed at run time.</summary>
    public string? ChangedBy { get; init; }

    /// <summary>Why the last change was made.</summary>
    public string? Reason { get; init; }

    /// <summary>When the last change was made.</summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>Targets whose switch was set at run time, by target id (<see langword="true"/> = enabled).</summary>
    public IReadOnlyDictionary<string, bool> TargetOverrides { get; init; } = new Dictionary<string, bool>(StringComparer.Ordinal);
}
