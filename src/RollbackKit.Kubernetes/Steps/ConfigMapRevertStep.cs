using k8s;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary>
/// <c>kubernetes.configmap.revert</c>: restores a ConfigMap's data from a saved copy (settings: namespace, configMap,
/// source = <c>&lt;configMap&gt;-previous</c>).
/// </summary>
internal sealed class ConfigMapRevertStep(PlaybookStepDefinition definition, KubernetesApi api) : KubernetesStep(definition, api)
{
    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context, "configMap");
        var source = Setting("source") ?? name + "-previous";
        return await Api.RetryOnConflictAsync($"reverting configmap {ns}/{name}", async ct =>
        {
            var saved = await Api.CallAsync(
                new ApiCall("get", "configmaps", "", ns, source),
                (k, t) => k.CoreV1.ReadNamespacedConfigMapAsync(source, ns, cancellationToken: t),
                ct).ConfigureAwait(false);
            var current = await Api.CallAsync(
                new ApiCall("get", "configmaps", "", ns, name),
                (k, t) => k.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: t),
                ct).ConfigureAwait(false);
            current.Data = saved.Data;
            current.BinaryData = saved.BinaryData;
            await Api.CallAsync(
                new ApiCall("update", "configmaps", "", ns, name),
                (k, t) => k.CoreV1.ReplaceNamespacedConfigMapAsync(current, name, ns, cancellationToken: t),
                ct).ConfigureAwait(false);
            return StepResult.Success($"restored configmap {ns}/{name} from {source} ({saved.Data?.Count ?? 0} keys)");
        }, cancellationToken).ConfigureAwait(false);
    }
}
