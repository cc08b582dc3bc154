using System.Globalization;
using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary><c>kubernetes.restart</c>: kubectl rollout restart (template annotation kubectl.kubernetes.io/restartedAt).</summary>
internal sealed class RestartStep(PlaybookStepDefinition definition, KubernetesApi api) : KubernetesStep(definition, api)
{
    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context);
        var stamp = context.TimeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var patch = """{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":""" + "\"" + stamp + "\"}}}}}";
        await Api.RetryOnConflictAsync($"restarting deployment {ns}/{name}", c => Api.CallAsync(
            new ApiCall("patch", "deployments", "apps", ns, name),
            (k, ct) => k.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: ct),
            c), cancellationToken).ConfigureAwait(false);
        return StepResult.Success($"restarted deployment {ns}/{name}");
    }
}
