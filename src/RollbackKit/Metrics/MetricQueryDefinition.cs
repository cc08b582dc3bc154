namespace RollbackKit.Metrics;

/// <summary>A named query answered by a metric source, configured under <c>RollbackKit:Queries</c>.</summary>
public sealed class MetricQueryDefinition
{
    /// <summary>Name the trigger conditions use, for example <c>canary_error_rate</c>. Letters, digits and '_' only.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Name of the <see cref="IMetricSource"/> that answers the query. Default: the only registered source.</summary>
    public string? Source { get; set; }

    /// <summary>
    /// The query text in the source's language, with target label placeholders such as <c>{{namespace}}</c>,
    /// <c>{{name}}</c>, <c>{{version}}</c> and <c>{{interval}}</c>.
    /// </summary>
    public string Expression { get; set; } = string.Empty;

    /// <summary>
    /// When set, the query is run once for all targets and each returned series is matched to a target by the value of
    /// this series label (for example <c>deployment</c> for <c>sum by (deployment) (...)</c>). Default: unset, the query
    /// is run once per target with its labels substituted.
    /// </summary>
    public string? GroupBy { get; set; }

    /// <summary>
    /// With <see cref="GroupBy"/>: the target label whose value must equal the series' <see cref="GroupBy"/> label.
    /// Default: <c>name</c>.
    /// </summary>
    public string TargetLabel { get; set; } = TargetLabels.Name;

    /// <summary>Time allowed for one evaluation of this query. Default: 5 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
