using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

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
