using System.Diagnostics.CodeAnalysis;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Internal;

/// <summary>The release a step acts on and how to reach it.</summary>
internal sealed record HelmStepTarget(string Release, HelmConnection Connection)
{
    public string Namespace => Connection.Namespace;

    /// <summary>Folder of this release's items in the evidence bundle.</summary>
    public string EvidencePrefix => $"helm/{Namespace}/{Release}/";

    /// <summary>Resolves release and namespace from settings, else the target's <c>name</c> / <c>namespace</c> labels (namespace default: <c>default</c>).</summary>
    public static bool TryResolve(
        HelmStepSettings settings,
        RollbackTarget target,
        HelmOptions options,
        [NotNullWhen(true)] out HelmStepTarget? resolved,
        [NotNullWhen(false)] out string? error)
    {
        resolved = null;
        var release = settings.Release ?? target.GetLabel(TargetLabels.Name);
        if (string.IsNullOrWhiteSpace(release))
        {
            error = $"no helm release for target '{target.Id}': set Settings:release or give the target a '{TargetLabels.Name}' label";
            return false;
        }

        if (!HelmStepSettings.IsValidName(release, 53))
        {
            error = $"'{release}' (label '{TargetLabels.Name}' of target '{target.Id}') is not a valid helm release name";
            return false;
        }

        var ns = settings.Namespace ?? target.GetLabel(TargetLabels.Namespace) ?? "default";
        if (!HelmStepSettings.IsValidName(ns, 63))
        {
            error = $"'{ns}' (label '{TargetLabels.Namespace}' of target '{target.Id}') is not a valid namespace";
            return false;
        }

        resolved = new HelmStepTarget(release, new HelmConnection(ns, settings.KubeConfig ?? options.KubeConfig, settings.KubeContext ?? options.KubeContext));
        error = null;
        return true;
    }

    public static string AttemptSuffix(PlaybookStepContext context) => context.Attempt > 1 ? $"-attempt{context.Attempt}" : string.Empty;

    /// <summary>Whether helm said the release does not exist (no point retrying).</summary>
    public static bool IsNotFound(HelmCommandResult result) =>
        result.Process.Outcome == ProcessOutcome.Exited
        && result.Process.StandardError.Contains("not found", StringComparison.OrdinalIgnoreCase);
}
