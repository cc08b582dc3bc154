using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary>
/// <c>kubernetes.traffic</c>: routes all traffic of an Istio VirtualService (networking.istio.io/v1beta1) to the stable
/// destination (weight 100) and none to the others (settings: namespace, virtualService, stableSubset, stableHost).
/// </summary>
internal sealed class TrafficStep : KubernetesStep
{
    private const string Group = "networking.istio.io";
    private const string Version = "v1beta1";
    private const string Plural = "virtualservices";

    public TrafficStep(PlaybookStepDefinition definition, KubernetesApi api)
        : base(definition, api)
    {
    }

    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context, "virtualService");
        var stableSubset = Setting("stableHost") is null ? Setting("stableSubset") ?? "stable" : null;
        var stableHost = Setting("stableHost");
        return await Api.RetryOnConflictAsync($"routing traffic of virtualservice {ns}/{name}", async ct =>
        {
            var raw = await Api.CallAsync(
                new ApiCall("get", Plural, Group, ns, name),
                (k, t) => k.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, ns, Plural, name, t),
                ct).ConfigureAwait(false);
            var vs = JsonNode.Parse(JsonSerializer.Serialize(raw))!.AsObject();
            var routes = vs["spec"]?["http"] as JsonArray;
            if (routes is null || routes.Count == 0)
            {
                return StepResult.Failure($"virtualservice {ns}/{name} has no http routes", transient: false);
            }

            for (var i = 0; i < routes.Count; i++)
            {
                var destinations = routes[i]?["route"] as JsonArray ?? [];
                var stable = destinations.Where(d => IsStable(d?["destination"], stableSubset, stableHost)).ToList();
                if (stable.Count == 0)
                {
                    return StepResult.Failure(
                        $"virtualservice {ns}/{name} http[{i}] has no destination with {(stableHost is null ? $"subset '{stableSubset}'" : $"host '{stableHost}'")}", transient: false);
                }

                foreach (var d in destinations)
                {
                    d!["weight"] = stable[0] == d ? 100 : 0;
                }
            }

            await Api.CallAsync(
                new ApiCall("update", Plural, Group, ns, name),
                (k, t) => k.CustomObjects.ReplaceNamespacedCustomObjectAsync(vs, Group, Version, ns, Plural, name, cancellationToken: t),
                ct).ConfigureAwait(false);
            return StepResult.Success($"routed 100% of virtualservice {ns}/{name} to {(stableHost is null ? "subset " + stableSubset : "host " + stableHost)}");
        }, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsStable(JsonNode? destination, string? subset, string? host) =>
        host is not null
            ? destination?["host"]?.GetValue<string>() == host
            : destination?["subset"]?.GetValue<string>() == subset;
}
