namespace RollbackKit.Playbooks;

/// <summary>
/// The playbooks to run: the default one (<c>RollbackKit:Playbook</c>) and each target's own (<c>RollbackKit:Targets:*:Playbook</c>),
/// derived from <see cref="RollbackKitOptions"/>. Validated with the rest of the configuration at start.
/// </summary>
internal sealed class PlaybookOptions
{
    /// <summary>The default playbook, for targets without their own.</summary>
    public PlaybookDefinition DefaultPlaybook { get; set; } = new();

    /// <summary>Targets' own playbooks, by target id.</summary>
    public Dictionary<string, PlaybookDefinition> TargetPlaybooks { get; } = new(StringComparer.Ordinal);
}
