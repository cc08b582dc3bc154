using System.Globalization;
using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary><c>kubernetes.scale</c>: sets replicas through the scale subresource (settings: namespace, deployment, replicas).</summary>
internal sealed class ScaleStep : KubernetesStep
{
    private readonly int _replicas;

    public ScaleStep(PlaybookStepDefinition definition, KubernetesApi api)
        : base(definition, api)
    {
        if (Setting("replicas") is null)
        {
            throw new PlaybookConfigurationException("replicas", "is required (the replica count to set)");
        }

        _replicas = (int)Math.Min(int.MaxValue, IntSetting("replicas", 0));
    }

    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context);
        var patch = string.Create(CultureInfo.InvariantCulture, $$$"""{"spec":{"replicas":{{{_replicas}}}}}""");
        await Api.RetryOnConflictAsync($"scaling deployment {ns}/{name}", c => Api.CallAsync(
            new ApiCall("patch", "deployments/scale", "apps", ns, name),
            (k, ct) => k.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct),
            c), cancellationToken).ConfigureAwait(false);
        return StepResult.Success($"scaled deployment {ns}/{name} to {_replicas}");
    }
}
