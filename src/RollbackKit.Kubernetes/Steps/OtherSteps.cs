using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
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

/// <summary>
/// <c>kubernetes.evidence</c>: adds the deployment (spec, status, conditions), its ReplicaSet history, recent events and
/// the last log lines of its pods to the evidence bundle (settings: namespace, deployment, logLines, maxPods, events).
/// </summary>
internal sealed class EvidenceStep : KubernetesStep
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
    private static readonly string[] s_secretWords = ["PASSWORD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"];
    private readonly int _logLines;
    private readonly int _maxPods;
    private readonly int _events;

    public EvidenceStep(PlaybookStepDefinition definition, KubernetesApi api)
        : base(definition, api)
    {
        _logLines = (int)IntSetting("logLines", 50);
        _maxPods = (int)IntSetting("maxPods", 5);
        _events = (int)IntSetting("events", 50);
    }

    protected override async Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        var ns = Namespace(context);
        var name = Workload(context);
        var prefix = $"kubernetes/{ns}/{name}";
        var items = 0;
        var deployment = await Api.CallAsync(
            new ApiCall("get", "deployments", "apps", ns, name),
            (k, ct) => k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        var description = new JsonObject
        {
            ["metadata"] = Node(deployment.Metadata),
            ["spec"] = Redact(Node(deployment.Spec)),
            ["status"] = Node(deployment.Status),
        };
        ((JsonObject)description["metadata"]!).Remove("managedFields");
        context.Evidence.Add($"{prefix}/deployment.json", description.ToJsonString(s_indented));
        items++;

        var selector = Selectors.ToSelectorString(deployment.Spec.Selector);
        var rsList = await Api.CallAsync(
            new ApiCall("list", "replicasets", "apps", ns),
            (k, ct) => k.AppsV1.ListNamespacedReplicaSetAsync(ns, labelSelector: selector, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        var history = new JsonArray();
        foreach (var rs in UndoPlanner.Controlled(deployment, rsList.Items).OrderByDescending(r => UndoPlanner.Revision(r) ?? -1))
        {
            history.Add(new JsonObject
            {
                ["name"] = rs.Metadata.Name,
                ["revision"] = UndoPlanner.Revision(rs),
                ["images"] = new JsonArray([.. (rs.Spec?.Template?.Spec?.Containers ?? []).Select(c => (JsonNode?)JsonValue.Create(c.Image))]),
                ["replicas"] = rs.Spec?.Replicas,
                ["created"] = rs.Metadata.CreationTimestamp?.ToString("O", CultureInfo.InvariantCulture),
                ["changeCause"] = rs.Metadata.Annotations?.TryGetValue("kubernetes.io/change-cause", out var cause) == true ? cause : null,
            });
        }

        context.Evidence.Add($"{prefix}/replicasets.json", history.ToJsonString(s_indented));
        items++;

        try
        {
            var events = await Api.CallAsync(
                new ApiCall("list", "events", "", ns),
                (k, ct) => k.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: Selectors.FieldEquals("involvedObject.name", name), cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
            var lines = events.Items
                .OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp)
                .Take(_events)
                .Select(e => $"{(e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp)?.ToString("O", CultureInfo.InvariantCulture)} {e.Type} {e.Reason} {e.InvolvedObject?.Kind}/{e.InvolvedObject?.Name}: {e.Message}");
            context.Evidence.Add($"{prefix}/events.txt", string.Join('\n', lines) + "\n");
            items++;
        }
        catch (KubernetesApiException ex)
        {
            Log.EvidenceFailed(Api.Logger, "events", ex.Message);
            context.Evidence.Add($"{prefix}/events.txt", $"unavailable: {ex.Message}\n");
        }

        if (_logLines > 0)
        {
            items += await AddLogsAsync(context, ns, selector, prefix, cancellationToken).ConfigureAwait(false);
        }

        return StepResult.Success($"collected {items} evidence items for deployment {ns}/{name}");
    }

    private async Task<int> AddLogsAsync(PlaybookStepContext context, string ns, string selector, string prefix, CancellationToken cancellationToken)
    {
        var items = 0;
        try
        {
            var pods = await Api.CallAsync(
                new ApiCall("list", "pods", "", ns),
                (k, ct) => k.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
            foreach (var pod in pods.Items.Take(_maxPods))
            {
                var podName = pod.Metadata.Name;
                var text = await Api.CallAsync(
                    new ApiCall("get", "pods/log", "", ns, podName),
                    async (k, ct) =>
                    {
                        using var stream = await k.CoreV1.ReadNamespacedPodLogAsync(podName, ns, tailLines: _logLines, cancellationToken: ct).ConfigureAwait(false);
                        using var reader = new StreamReader(stream);
                        return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
                context.Evidence.Add($"{prefix}/logs/{podName}.log", text);
                items++;
            }
        }
        catch (KubernetesApiException ex)
        {
            Log.EvidenceFailed(Api.Logger, "logs", ex.Message);
            context.Evidence.Add($"{prefix}/logs/unavailable.txt", $"unavailable: {ex.Message}\n");
        }

        return items;
    }

    private static JsonNode? Node<T>(T value) => value is null ? null : JsonNode.Parse(KubernetesJson.Serialize(value));

    /// <summary>Replaces literal env values whose names look secret.</summary>
    private static JsonNode? Redact(JsonNode? spec)
    {
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var container in spec?["template"]?["spec"]?[list] as JsonArray ?? [])
            {
                foreach (var env in container?["env"] as JsonArray ?? [])
                {
                    var envName = env?["name"]?.GetValue<string>()?.ToUpperInvariant() ?? "";
                    if (env?["value"] is not null && s_secretWords.Any(w => envName.Contains(w, StringComparison.Ordinal)))
                    {
                        env["value"] = "[redacted]";
                    }
                }
            }
        }

        return spec;
    }
}
