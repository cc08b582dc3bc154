using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>The decision of a rollout undo, computed exactly as kubectl's DeploymentRollbacker does.</summary>
internal readonly record struct UndoPlan(V1ReplicaSet? Target, long Revision, string? Error, bool AlreadyMatches, string? Patch);

/// <summary>Pure functions implementing kubectl <c>rollout undo</c> for Deployments.</summary>
internal static class UndoPlanner
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string HashLabel = "pod-template-hash";

    /// <summary>Annotation naming the rollback that last rolled the deployment back (makes a re-run after a crash a no-op).</summary>
    public const string RollbackIdAnnotation = "rollbackkit.io/rollback-id";

    /// <summary>Annotations kept from the deployment rather than copied from the ReplicaSet (kubectl's annotationsToSkip).</summary>
    public static readonly IReadOnlySet<string> AnnotationsToSkip = new HashSet<string>(StringComparer.Ordinal)
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    };

    /// <summary>ReplicaSets controlled by the deployment (controller ownerReference with its uid).</summary>
    public static List<V1ReplicaSet> Controlled(V1Deployment deployment, IEnumerable<V1ReplicaSet> replicaSets) =>
        [.. replicaSets.Where(rs => rs.Metadata?.OwnerReferences?.Any(o => o.Controller == true && o.Uid == deployment.Metadata.Uid) == true)];

    /// <summary>The revision of a ReplicaSet: 0 when the annotation is missing, null when it does not parse.</summary>
    public static long? Revision(V1ReplicaSet rs)
    {
        if (rs.Metadata?.Annotations is null || !rs.Metadata.Annotations.TryGetValue(RevisionAnnotation, out var text))
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    public static UndoPlan Plan(V1Deployment deployment, IReadOnlyList<V1ReplicaSet> controlled, long toRevision, string? rollbackId = null)
    {
        var name = deployment.Metadata.Name;
        if (toRevision < 0)
        {
            return new UndoPlan(null, toRevision, $"unable to find specified revision {toRevision} in history", false, null);
        }

        V1ReplicaSet? target = null;
        V1ReplicaSet? latest = null;
        long latestRevision = -1;
        long previousRevision = -1;
        foreach (var rs in controlled)
        {
            if (Revision(rs) is not { } v)
            {
                continue;
            }

            if (toRevision == 0)
            {
                if (latestRevision < v)
                {
                    previousRevision = latestRevision;
                    target = latest;
                    latestRevision = v;
                    latest = rs;
                }
                else if (previousRevision < v)
                {
                    previousRevision = v;
                    target = rs;
                }
            }
            else if (toRevision == v)
            {
                target = rs;
                previousRevision = v;
                break;
            }
        }

        if (target is null)
        {
            return toRevision > 0
                ? new UndoPlan(null, toRevision, $"unable to find specified revision {toRevision} in history", false, null)
                : new UndoPlan(null, 0, $"no rollout history found for deployment \"{name}\"", false, null);
        }

        if (deployment.Spec?.Paused == true)
        {
            return new UndoPlan(target, previousRevision, $"you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again", false, null);
        }

        var targetTemplate = TemplateNode(target.Spec?.Template);
        if (EqualIgnoringHash(targetTemplate, TemplateNode(deployment.Spec?.Template)))
        {
            return new UndoPlan(target, previousRevision, null, true, null);
        }

        (targetTemplate?["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        var annotations = new JsonObject();
        foreach (var (k, v) in deployment.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (AnnotationsToSkip.Contains(k))
            {
                annotations[k] = v;
            }
        }

        foreach (var (k, v) in target.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (!AnnotationsToSkip.Contains(k) && k != RollbackIdAnnotation)
            {
                annotations[k] = v;
            }
        }

        if (rollbackId is not null)
        {
            annotations[RollbackIdAnnotation] = rollbackId;
        }

        var patch = new JsonArray(
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/template", ["value"] = targetTemplate ?? new JsonObject() },
            new JsonObject { ["op"] = "replace", ["path"] = "/metadata/annotations", ["value"] = annotations });
        return new UndoPlan(target, previousRevision, null, false, patch.ToJsonString());
    }

    internal static JsonNode? TemplateNode(V1PodTemplateSpec? template) =>
        template is null ? null : JsonNode.Parse(KubernetesJson.Serialize(template));

    /// <summary>Template equality ignoring pod-template-hash, treating empty and missing maps/lists alike (apiequality.Semantic).</summary>
    internal static bool EqualIgnoringHash(JsonNode? a, JsonNode? b)
    {
        var ca = Normalize(a?.DeepClone());
        var cb = Normalize(b?.DeepClone());
        (ca?["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        (cb?["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        return JsonNode.DeepEquals(Normalize(ca), Normalize(cb));
    }

    private static JsonNode? Normalize(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(kv => kv.Key).ToList())
            {
                var child = Normalize(o[key]);
                if (child is null || (child is JsonObject co && co.Count == 0 && key is "labels" or "annotations") || child is JsonArray { Count: 0 })
                {
                    o.Remove(key);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
            {
                Normalize(item);
            }
        }
        else if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        return node;
    }
}
