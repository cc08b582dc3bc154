using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary>
/// <c>kubernetes.undo</c>: kubectl rollout undo for a Deployment (settings: namespace, deployment, toRevision,
/// markRollback). The patch also records the rollback id in the annotation <c>rollbackkit.io/rollback-id</c>, so that
/// running the same rollback again (a retry or a resume after a crash) does not undo a second time, and a resumed rollback
/// can prove whether an interrupted run took effect (<see cref="IStepEffectProbe"/>).
/// </summary>
internal sealed class UndoStep : KubernetesStep, IStepEffectProbe
{
    private readonly long _toRevision;
    private readonly bool _mark;

    public UndoStep(PlaybookStepDefinition definition, KubernetesApi api)
        : base(definition, api)
    {
        _toRevision = IntSetting("toRevision", 0);
        var mark = Setting("markRollback");
        if (mark is not null && !bool.TryParse(mark, out _))
        {
            throw new PlaybookConfigurationException("markRollback", $"'{mark}' is not true or false");
        }

        _mark = mark is null || bool.Parse(mark);
    }

    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context);
        var rollbackId = _mark ? context.RollbackId : null;
        return await Api.RetryOnConflictAsync($"rolling back deployment {ns}/{name}", ct => UndoOnceAsync(ns, name, rollbackId, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applied when the Deployment carries this rollback's id (the patch sets the template and the id together, atomically);
    /// not applied when it does not; unknown when the id is not recorded (<c>markRollback: false</c>).
    /// </summary>
    public async ValueTask<StepEffect> ProbeEffectAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_mark)
        {
            return StepEffect.Unknown;
        }

        var ns = Namespace(context);
        var name = Workload(context);
        var deployment = await Api.CallAsync(
            new ApiCall("get", "deployments", "apps", ns, name),
            (k, ct) => k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        return deployment.Metadata.Annotations?.TryGetValue(UndoPlanner.RollbackIdAnnotation, out var doneBy) == true && doneBy == context.RollbackId
            ? StepEffect.Applied
            : StepEffect.NotApplied;
    }

    private async Task<StepResult> UndoOnceAsync(string ns, string name, string? rollbackId, CancellationToken cancellationToken)
    {
        var deployment = await Api.CallAsync(
            new ApiCall("get", "deployments", "apps", ns, name),
            (k, ct) => k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        if (rollbackId is not null
            && deployment.Metadata.Annotations?.TryGetValue(UndoPlanner.RollbackIdAnnotation, out var doneBy) == true
            && doneBy == rollbackId)
        {
            return StepResult.Success($"skipped rollback (deployment {ns}/{name} was already rolled back by {rollbackId})");
        }

        var selector = Selectors.ToSelectorString(deployment.Spec.Selector);
        var list = await Api.CallAsync(
            new ApiCall("list", "replicasets", "apps", ns),
            (k, ct) => k.AppsV1.ListNamespacedReplicaSetAsync(ns, labelSelector: selector, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        var plan = UndoPlanner.Plan(deployment, UndoPlanner.Controlled(deployment, list.Items), _toRevision, rollbackId);
        if (plan.Error is not null)
        {
            return StepResult.Failure(plan.Error, transient: false);
        }

        if (plan.AlreadyMatches)
        {
            return StepResult.Success($"skipped rollback (current template already matches revision {plan.Revision})");
        }

        await Api.CallAsync(
            new ApiCall("patch", "deployments", "apps", ns, name),
            (k, ct) => k.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(plan.Patch!, V1Patch.PatchType.JsonPatch), name, ns, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        Log.RolledBack(Api.Logger, ns, name, plan.Revision);
        return StepResult.Success($"rolled back deployment {ns}/{name} to revision {plan.Revision}");
    }
}
