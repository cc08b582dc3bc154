using RollbackKit.Triggers;

namespace RollbackKit;

/// <summary>Why a rollback was requested.</summary>
public enum RollbackTriggerType
{
    /// <summary>A metric trigger fired.</summary>
    MetricTrigger = 0,

    /// <summary>A person asked for it, with a reason.</summary>
    Manual = 1,

    /// <summary>An incident (P0/P1) was raised or escalated for the target.</summary>
    IncidentEscalation = 2,

    /// <summary>A policy breach event named the target.</summary>
    PolicyBreach = 3,

    /// <summary>An external alert (for example from Alertmanager) asked for it.</summary>
    Alert = 4,
}

/// <summary>A measured value that took part in a decision.</summary>
/// <param name="Name">Name of the value (a query or baseline name).</param>
/// <param name="Value">The measured value (NaN when there was no data).</param>
public readonly record struct MeasuredValue(string Name, double Value);

/// <summary>What a metric trigger measured when it fired.</summary>
public sealed class TriggerEvidence
{
    /// <summary>The trigger name.</summary>
    public required string TriggerName { get; init; }

    /// <summary>The condition text.</summary>
    public required string Condition { get; init; }

    /// <summary>The values the condition read at the deciding tick.</summary>
    public required IReadOnlyList<MeasuredValue> Values { get; init; }

    /// <summary>The left-hand side of the top comparison (the "actual" value), when the condition is a comparison.</summary>
    public double? Actual { get; init; }

    /// <summary>The right-hand side of the top comparison (the "threshold"), when the condition is a comparison.</summary>
    public double? Threshold { get; init; }

    /// <summary>When the condition first started failing in the current run.</summary>
    public DateTimeOffset FirstFailedAt { get; init; }

    /// <summary>When the trigger fired.</summary>
    public DateTimeOffset DetectedAt { get; init; }

    /// <summary>Whether the trigger was in dry-run mode (recorded, not acted on).</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Warnings the sources reported with the values at the deciding tick (for example Prometheus' <c>warnings</c>),
    /// each naming its query; <see langword="null"/> when there were none.
    /// </summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}

/// <summary>A request to roll a target back, from any source: a trigger verdict, a person, an incident, a policy breach or an alert.</summary>
public sealed class RollbackRequest
{
    /// <summary>The target to roll back.</summary>
    public required RollbackTarget Target { get; init; }

    /// <summary>Why the rollback was requested.</summary>
    public required RollbackTriggerType TriggerType { get; init; }

    /// <summary>Severity, which selects the policy (immediate, acknowledge, approval, alert only).</summary>
    public RollbackSeverity Severity { get; init; } = RollbackSeverity.High;

    /// <summary>One line saying why, for people (for example "error rate 5.2/min &gt; 0.75/min for 5m").</summary>
    public required string Reason { get; init; }

    /// <summary>Who or what asked: a user, <c>alertmanager</c>, <c>pagerduty</c>, or the trigger name.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>The caller's workflow or deployment id, if any.</summary>
    public string? WorkflowId { get; init; }

    /// <summary>An idempotency key: requests with the same key never cause a second rollback (an alert fingerprint, an incident id).</summary>
    public string? DeduplicationKey { get; init; }

    /// <summary>Extra details (alert labels, incident fields). Never secrets.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>For metric triggers: what was measured.</summary>
    public TriggerEvidence? Evidence { get; init; }

    /// <summary>When the request was made.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>Only alert, never roll back (for example a trigger with <see cref="TriggerAction.AlertOnly"/>).</summary>
    public bool AlertOnly { get; init; }

    /// <summary>
    /// For manual requests: roll back even though the target's last rollback finished within the cooldown (by default such a
    /// request is answered with that rollback instead of starting another). Automatic requests ignore it. Default: <see langword="false"/>.
    /// </summary>
    public bool Force { get; init; }

    /// <summary>
    /// The deduplication key within its source: keys are compared per <see cref="TriggerType"/>, so one source's key never
    /// suppresses another's. Derived, never stored, so journals written before keys were scoped replay the same way.
    /// </summary>
    internal string? ScopedDeduplicationKey() => DeduplicationKey is null ? null : ScopeDeduplicationKey(TriggerType, DeduplicationKey);

    /// <summary>The key <paramref name="key"/> within the source <paramref name="source"/>.</summary>
    internal static string ScopeDeduplicationKey(RollbackTriggerType source, string key) => source switch
    {
        RollbackTriggerType.MetricTrigger => "trigger/" + key,
        RollbackTriggerType.Manual => "manual/" + key,
        RollbackTriggerType.IncidentEscalation => "incident/" + key,
        RollbackTriggerType.PolicyBreach => "policy-breach/" + key,
        RollbackTriggerType.Alert => "alert/" + key,
        _ => ((int)source).ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + key,
    };
}
