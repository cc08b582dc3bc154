using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary><c>kubernetes.wait</c>: waits like kubectl rollout status (settings: namespace, deployment, timeout, pollInterval).</summary>
internal sealed class WaitStep : KubernetesStep, IRepeatableStep
{
    /// <summary>Waiting again changes nothing: a resumed rollback runs it again.</summary>
    public bool IsRepeatable => true;

    private readonly TimeSpan _timeout;
    private readonly TimeSpan _poll;

    public WaitStep(PlaybookStepDefinition definition, KubernetesApi api)
        : base(definition, api)
    {
        _timeout = DurationSetting("timeout", TimeSpan.FromMinutes(5));
        _poll = DurationSetting("pollInterval", TimeSpan.FromSeconds(2));
    }

    /// <summary>The configured <c>timeout</c> (default 5 minutes).</summary>
    internal TimeSpan Timeout => _timeout;

    /// <summary>The configured <c>pollInterval</c> (default 2 seconds).</summary>
    internal TimeSpan PollInterval => _poll;

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
