using System.Globalization;
using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary>
/// <c>kubernetes.undo</c>: kubectl rollout undo for a Deployment (settings: namespace, deployment, toRevision,
/// markRollback). The patch also records the rollback id in the annotation <c>rollbackkit.io/rollback-id</c>, so that
/// running the same rollback again (a retry or a resume after a crash) does not undo a second time.
/// </summary>
internal sealed class UndoStep : KubernetesStep
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

/// <summary><c>kubernetes.wait</c>: waits like kubectl rollout status (settings: namespace, deployment, timeout, pollInterval).</summary>
internal sealed class WaitStep : KubernetesStep
{
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _poll;

    public WaitStep(PlaybookStepDefinition definition, KubernetesApi api)
        : base(definition, api)
    {
        _timeout = DurationSetting("timeout", TimeSpan.FromMinutes(5));
        _poll = DurationSetting("pollInterval", TimeSpan.FromSeconds(2));
    }

    /// <summary>kubectl's DeploymentStatusViewer: (message, done, failed).</summary>
    internal static (string Message, bool Done, bool Failed) Evaluate(V1Deployment d)
    {
        var name = d.Metadata.Name;
        if (d.Metadata.Generation > (d.Status?.ObservedGeneration ?? 0))
        {
            return ($"Waiting for deployment spec update to be observed...", false, false);
        }

        var status = d.Status ?? new V1DeploymentStatus();
        var progressing = status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing?.Reason == "ProgressDeadlineExceeded")
        {
            return ($"deployment \"{name}\" exceeded its progress deadline", false, true);
        }

        var replicas = d.Spec?.Replicas ?? 1;
        var updated = status.UpdatedReplicas ?? 0;
        var total = status.Replicas ?? 0;
        var available = status.AvailableReplicas ?? 0;
        if (updated < replicas)
        {
            return ($"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {replicas} new replicas have been updated...", false, false);
        }

        if (total > updated)
        {
            return ($"Waiting for deployment \"{name}\" rollout to finish: {total - updated} old replicas are pending termination...", false, false);
        }

        if (available < updated)
        {
            return ($"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...", false, false);
        }

        return ($"deployment \"{name}\" successfully rolled out", true, false);
    }

    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context);
        var time = context.TimeProvider;
        var deadline = time.GetUtcNow() + _timeout;
        while (true)
        {
            var d = await Api.CallAsync(
                new ApiCall("get", "deployments", "apps", ns, name),
                (k, ct) => k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
            var (message, done, failed) = Evaluate(d);
            if (done)
            {
                return StepResult.Success(message);
            }

            if (failed)
            {
                return StepResult.Failure(message, transient: false);
            }

            var now = time.GetUtcNow();
            if (now >= deadline)
            {
                return StepResult.Failure($"timed out after {_timeout} waiting for the rollout of deployment {ns}/{name}: {message}");
            }

            var delay = _poll < deadline - now ? _poll : deadline - now;
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

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
