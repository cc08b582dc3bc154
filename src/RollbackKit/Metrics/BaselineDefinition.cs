namespace RollbackKit.Metrics;

/// <summary>
/// A captured baseline: the average of <see cref="Query"/> over <see cref="Window"/> after a healthy deploy, stored and
/// then available to conditions under <see cref="Name"/> (for example <c>baseline.error_rate</c>).
/// </summary>
public sealed class BaselineDefinition
{
    /// <summary>Name used in conditions, for example <c>baseline.error_rate</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The query (by name) whose values are averaged.</summary>
    public string Query { get; set; } = string.Empty;

    /// <summary>How long to average over once capture starts. Default: 10 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}
