namespace RollbackKit.Helm;

/// <summary>The playbook step types added by <c>AddHelm()</c>.</summary>
public static class HelmStepTypes
{
    /// <summary><c>helm.rollback</c>: rolls a release back to its newest earlier good revision (or an explicit one).</summary>
    public const string Rollback = "helm.rollback";

    /// <summary><c>helm.history</c>: records <c>helm history -o json</c> in the evidence bundle.</summary>
    public const string History = "helm.history";

    /// <summary><c>helm.status</c>: records <c>helm status -o json</c> (values and manifests removed) in the evidence bundle.</summary>
    public const string Status = "helm.status";
}
