using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary><c>kubernetes.pause</c> / <c>kubernetes.resume</c>: sets spec.paused (settings: namespace, deployment).</summary>
internal sealed class PauseStep(PlaybookStepDefinition definition, KubernetesApi api, bool pause) : KubernetesStep(definition, api)
{
    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context);
        var patch = pause ? """{"spec":{"paused":true}}""" : """{"spec":{"paused":null}}""";
        await Api.RetryOnConflictAsync($"patching deployment {ns}/{name}", c => Api.CallAsync(
            new ApiCall("patch", "deployments", "apps", ns, name),
            (k, ct) => k.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct),
            c), cancellationToken).ConfigureAwait(false);
        return StepResult.Success($"{(pause ? "paused" : "resumed")} deployment {ns}/{name}");
    }
}
