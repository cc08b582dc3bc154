using RollbackKit.Groups;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit;

/// <summary>RollbackKit's configuration, bound from the <c>RollbackKit</c> configuration section.</summary>
public sealed class RollbackKitOptions
{
    /// <summary>The default configuration section name: <c>RollbackKit</c>.</summary>
    public const string SectionName = "RollbackKit";

    /// <summary>How often the monitor evaluates every trigger for every target. Default: 10 seconds.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the hosted monitor runs. Default: <see langword="true"/>.</summary>
    public bool MonitorEnabled { get; set; } = true;

    /// <summary>The targets to watch.</summary>
    public List<TargetDefinition> Targets { get; set; } = [];

    /// <summary>The named queries the trigger conditions read.</summary>
    public List<MetricQueryDefinition> Queries { get; set; } = [];

    /// <summary>The triggers, evaluated for every target.</summary>
    public List<TriggerDefinition> Triggers { get; set; } = [];

    /// <summary>Captured baselines: values averaged over a window after a healthy deploy, then compared against.</summary>
    public List<BaselineDefinition> Baselines { get; set; } = [];

    /// <summary>The default playbook, used by targets without their own.</summary>
    public PlaybookDefinition Playbook { get; set; } = new();

    /// <summary>Rollback workflow settings: severity policy, approvals, attempts, journal and evidence.</summary>
    public RollbackWorkflowOptions Workflow { get; set; } = new();

    /// <summary>Coordinated rollback groups: targets rolled back together, as one rollback, when any member is asked to roll back.</summary>
    public List<RollbackGroupDefinition> Groups { get; set; } = [];
}

/// <summary>A configured target.</summary>
public sealed class TargetDefinition
{
    /// <summary>Unique id, for example <c>payments/checkout</c>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Labels that fill query templates and match external signals (<c>namespace</c>, <c>name</c>, <c>version</c>, …).</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>This target's playbook; default: <see cref="RollbackKitOptions.Playbook"/>.</summary>
    public PlaybookDefinition? Playbook { get; set; }

    /// <summary>Disable automatic rollback for this target (manual rollback still works). Default: <see langword="true"/>.</summary>
    public bool AutoRollback { get; set; } = true;
}
