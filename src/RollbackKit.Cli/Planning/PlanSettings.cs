using Microsoft.Extensions.Configuration;

namespace RollbackKit.Cli.Planning;

/// <summary>
/// What <c>plan check</c> needs to know beyond what RollbackKit runs: which step types cannot be undone and where each target's
/// point of no return is. Read from the section next to RollbackKit's, named like it with <c>Plan</c> appended
/// (<c>RollbackKitPlan</c> by default), so the application's own strict binding never sees it:
/// <code>
/// "RollbackKitPlan": {
///   "IrreversibleStepTypes": [ "db.migrate-down" ],
///   "ReversibleStepTypes": [ "command" ],
///   "PointsOfNoReturn": [ { "Target": "shop/checkout", "Step": "purge-cache" } ]
/// }
/// </code>
/// </summary>
internal sealed class PlanSettings
{
    /// <summary>
    /// Step types that change something the playbook cannot put back: <c>command</c> (an arbitrary program: migrations, purges;
    /// RollbackKit cannot tell what it did) and <c>kubernetes.configmap.revert</c> (overwrites the ConfigMap's current data
    /// without keeping it). Every other built-in type is reversible: a check, a wait, or a rollout/release change that a later
    /// deploy or rollback can undo.
    /// </summary>
    public static readonly IReadOnlyList<string> BuiltInIrreversible = ["command", "kubernetes.configmap.revert"];

    private readonly HashSet<string> _irreversible = new(BuiltInIrreversible, StringComparer.OrdinalIgnoreCase);

    /// <summary>The section path the settings were read from, for messages.</summary>
    public required string Path { get; init; }

    /// <summary>The declared points of no return: target id → the step (name, or 0-based index) from which on there is no way back.</summary>
    public Dictionary<string, string> PointsOfNoReturn { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether steps of <paramref name="type"/> cannot be undone.</summary>
    public bool IsIrreversible(string type) => _irreversible.Contains(type);

    /// <summary>Reads the settings next to <paramref name="section"/>.</summary>
    public static PlanSettings Read(IConfiguration configuration, IConfigurationSection section)
    {
        var path = section.Path + "Plan";
        var plan = configuration.GetSection(path);
        var settings = new PlanSettings { Path = path };
        foreach (var type in Values(plan.GetSection("IrreversibleStepTypes")))
        {
            settings._irreversible.Add(type);
        }

        foreach (var type in Values(plan.GetSection("ReversibleStepTypes")))
        {
            settings._irreversible.Remove(type);
        }

        foreach (var point in plan.GetSection("PointsOfNoReturn").GetChildren())
        {
            if (point["Target"] is { Length: > 0 } target && point["Step"] is { Length: > 0 } step)
            {
                settings.PointsOfNoReturn[target] = step;
            }
        }

        return settings;
    }

    private static IEnumerable<string> Values(IConfigurationSection list) =>
        list.GetChildren().Select(static c => c.Value).Where(static v => !string.IsNullOrWhiteSpace(v)).Select(static v => v!.Trim());
}
