using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>
/// A simulated deployment controller: on deployment create or template change it creates (or adopts) a ReplicaSet
/// <c>&lt;deployment&gt;-&lt;hash&gt;</c> with the next revision, scales old ReplicaSets to 0, creates pods and updates the status.
/// </summary>
public sealed class DeploymentController
{
    /// <summary>The pod-template-hash label.</summary>
    public const string HashLabel = "pod-template-hash";

    /// <summary>The revision annotation.</summary>
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    private static readonly HashSet<string> s_annotationsNotCopied =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    ];

    private readonly ResourceStore _store;
    private readonly ApiResource _deployments;
    private readonly ApiResource _replicaSets;
    private readonly ApiResource _pods;
    private readonly ApiResource _events;
    private readonly Dictionary<string, int> _readsRemaining = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deadlineExceeded = new(StringComparer.Ordinal);
    private int _podCounter;

    internal DeploymentController(ResourceStore store, ApiResourceRegistry registry)
    {
        _store = store;
        _deployments = registry.Find("apps", "v1", "deployments")!;
        _replicaSets = registry.Find("apps", "v1", "replicasets")!;
        _pods = registry.Find("", "v1", "pods")!;
        _events = registry.Find("", "v1", "events")!;
        store.AfterWrite = OnWrite;
        store.AfterRead = OnRead;
    }

    /// <summary>Reads of a deployment (GET or LIST) needed before a rollout completes. Default 0: rollouts complete at once.</summary>
    public int ReadsToComplete { get; set; }

    /// <summary>Whether the controller runs at all. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Makes the deployment's rollout fail with ProgressDeadlineExceeded (until the next template change).</summary>
    public void FailProgressDeadline(string ns, string name)
    {
        lock (_store.Gate)
        {
            _deadlineExceeded.Add($"{ns}/{name}");
            var d = _store.TryGetLocked(_deployments, ns, name);
            if (d is not null)
            {
                WriteStatus(d, complete: false);
            }
        }
    }

    /// <summary>Completes any in-progress rollout of the deployment now.</summary>
    public void Complete(string ns, string name)
    {
        lock (_store.Gate)
        {
            _readsRemaining.Remove($"{ns}/{name}");
            var d = _store.TryGetLocked(_deployments, ns, name);
            if (d is not null)
            {
                Reconcile(d, templateChanged: false);
            }
        }
    }

    /// <summary>Computes the pod-template-hash of a template (FNV-1a over its canonical JSON without the hash label).</summary>
    public static string ComputeHash(JsonNode template)
    {
        var copy = template.DeepClone();
        (copy["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        var text = Canonical(copy);
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619;
        }

        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var sb = new StringBuilder();
        var digits = hash.ToString(CultureInfo.InvariantCulture);
        foreach (var c in digits)
        {
            sb.Append(alphabet[(c - '0' + sb.Length) % alphabet.Length]);
        }

        return sb.ToString();
    }

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":{Canonical(kv.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    private void OnRead(ApiResource resource, IReadOnlyList<JsonObject> objects)
    {
        if (resource != _deployments || !Enabled)
        {
            return;
        }

        foreach (var d in objects)
        {
            var key = DeploymentKey(d);
            if (_readsRemaining.TryGetValue(key, out var remaining))
            {
                if (remaining <= 1)
                {
                    _readsRemaining.Remove(key);
                    Reconcile(d, templateChanged: false);
                }
                else
                {
                    _readsRemaining[key] = remaining - 1;
                }
            }
        }
    }

    private static string DeploymentKey(JsonObject d) => $"{d["metadata"]!["namespace"]}/{d["metadata"]!["name"]}";

    private void OnWrite(ApiResource resource, JsonObject? old, JsonObject updated)
    {
        if (resource != _deployments || !Enabled)
        {
            return;
        }

        var templateChanged = old is null || !JsonNode.DeepEquals(old["spec"]?["template"], updated["spec"]?["template"]);
        var pausedChanged = old is not null && !JsonNode.DeepEquals(old["spec"]?["paused"], updated["spec"]?["paused"]);
        Reconcile(updated, templateChanged || pausedChanged);
    }

    private void Reconcile(JsonObject deployment, bool templateChanged)
    {
        var meta = (JsonObject)deployment["metadata"]!;
        var ns = meta["namespace"]!.GetValue<string>();
        var name = meta["name"]!.GetValue<string>();
        var uid = meta["uid"]!.GetValue<string>();
        var key = $"{ns}/{name}";
        var spec = deployment["spec"] as JsonObject ?? [];
        var desired = spec["replicas"]?.GetValue<int>() ?? 1;
        var template = spec["template"] ?? new JsonObject();
        if (spec["paused"]?.GetValue<bool>() == true)
        {
            WriteStatus(deployment, complete: !_readsRemaining.ContainsKey(key));
            return;
        }

        var owned = _store.ListLocked(_replicaSets, ns)
            .Where(rs => rs["metadata"]?["ownerReferences"] is JsonArray refs && refs.Any(r => r?["uid"]?.GetValue<string>() == uid && r?["controller"]?.GetValue<bool>() == true))
            .ToList();
        var hash = ComputeHash(template);
        var maxRevision = owned.Select(Revision).DefaultIfEmpty(0).Max();
        var current = owned.FirstOrDefault(rs => rs["metadata"]?["labels"]?[HashLabel]?.GetValue<string>() == hash)
            ?? owned.FirstOrDefault(rs => EqualIgnoringHash(rs["spec"]?["template"], template));
        if (templateChanged)
        {
            _deadlineExceeded.Remove(key);
            if (ReadsToComplete > 0)
            {
                _readsRemaining[key] = ReadsToComplete;
            }
        }

        var complete = !_readsRemaining.ContainsKey(key) && !_deadlineExceeded.Contains(key);
        var annotations = new JsonObject();
        if (meta["annotations"] is JsonObject deploymentAnnotations)
        {
            foreach (var (k, v) in deploymentAnnotations)
            {
                if (!s_annotationsNotCopied.Contains(k))
                {
                    annotations[k] = v?.DeepClone();
                }
            }
        }

        if (current is null)
        {
            var rsTemplate = (JsonObject)template.DeepClone();
            var tmeta = rsTemplate["metadata"] as JsonObject ?? [];
            rsTemplate["metadata"] = tmeta;
            var tlabels = tmeta["labels"] as JsonObject ?? [];
            tmeta["labels"] = tlabels;
            tlabels[HashLabel] = hash;
            var selector = spec["selector"]?.DeepClone() as JsonObject ?? [];
            var matchLabels = selector["matchLabels"] as JsonObject ?? [];
            selector["matchLabels"] = matchLabels;
            matchLabels[HashLabel] = hash;
            annotations[RevisionAnnotation] = (maxRevision + 1).ToString(CultureInfo.InvariantCulture);
            current = _store.CreateLocked(_replicaSets, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{name}-{hash}",
                    ["namespace"] = ns,
                    ["labels"] = tlabels.DeepClone(),
                    ["annotations"] = annotations,
                    ["ownerReferences"] = new JsonArray(new JsonObject
                    {
                        ["apiVersion"] = "apps/v1",
                        ["kind"] = "Deployment",
                        ["name"] = name,
                        ["uid"] = uid,
                        ["controller"] = true,
                        ["blockOwnerDeletion"] = true,
                    }),
                },
                ["spec"] = new JsonObject { ["replicas"] = 0, ["selector"] = selector, ["template"] = rsTemplate },
            });
            Event(ns, name, uid, "ScalingReplicaSet", $"Scaled up replica set {name}-{hash} to {desired}");
        }
        else if (Revision(current) < maxRevision)
        {
            var rsCopy = (JsonObject)current.DeepClone();
            var rsAnnotations = rsCopy["metadata"]!["annotations"] as JsonObject ?? [];
            rsCopy["metadata"]!["annotations"] = rsAnnotations;
            foreach (var (k, v) in annotations)
            {
                rsAnnotations[k] = v?.DeepClone();
            }

            rsAnnotations[RevisionAnnotation] = (maxRevision + 1).ToString(CultureInfo.InvariantCulture);
            current = _store.UpdateLocked(_replicaSets, current, rsCopy, statusOnly: false, runController: false);
            Event(ns, name, uid, "ScalingReplicaSet", $"Scaled up replica set {current["metadata"]!["name"]} to {desired}");
        }

        var currentName = current["metadata"]!["name"]!.GetValue<string>();
        var revision = Revision(current);
        SetReplicas(current, complete || templateChanged ? desired : desired);
        if (complete)
        {
            foreach (var old in owned.Where(rs => rs["metadata"]!["name"]!.GetValue<string>() != currentName))
            {
                var oldLive = _store.TryGetLocked(_replicaSets, ns, old["metadata"]!["name"]!.GetValue<string>());
                if (oldLive is not null && (oldLive["spec"]?["replicas"]?.GetValue<int>() ?? 0) != 0)
                {
                    SetReplicas(oldLive, 0);
                    Event(ns, name, uid, "ScalingReplicaSet", $"Scaled down replica set {oldLive["metadata"]!["name"]} to 0");
                }
            }
        }

        var live = _store.GetLocked(_deployments, ns, name);
        if (live["metadata"]?["annotations"]?[RevisionAnnotation]?.GetValue<string>() != revision.ToString(CultureInfo.InvariantCulture))
        {
            var copy = (JsonObject)live.DeepClone();
            var dAnnotations = copy["metadata"]!["annotations"] as JsonObject ?? [];
            copy["metadata"]!["annotations"] = dAnnotations;
            dAnnotations[RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
            live = _store.UpdateLocked(_deployments, live, copy, statusOnly: false, runController: false);
        }

        WriteStatus(live, complete);
    }

    private void SetReplicas(JsonObject rs, int replicas)
    {
        var meta = (JsonObject)rs["metadata"]!;
        var ns = meta["namespace"]!.GetValue<string>();
        var rsName = meta["name"]!.GetValue<string>();
        var live = _store.GetLocked(_replicaSets, ns, rsName);
        if ((live["spec"]?["replicas"]?.GetValue<int>() ?? -1) != replicas)
        {
            var copy = (JsonObject)live.DeepClone();
            copy["spec"]!["replicas"] = replicas;
            live = _store.UpdateLocked(_replicaSets, live, copy, statusOnly: false, runController: false);
        }

        var status = new JsonObject
        {
            ["replicas"] = replicas,
            ["fullyLabeledReplicas"] = replicas,
            ["readyReplicas"] = replicas,
            ["availableReplicas"] = replicas,
            ["observedGeneration"] = live["metadata"]!["generation"]?.GetValue<long>() ?? 1,
        };
        _store.UpdateLocked(_replicaSets, live, new JsonObject { ["status"] = status }, statusOnly: true, runController: false);

        var uid = meta["uid"]!.GetValue<string>();
        var pods = _store.ListLocked(_pods, ns)
            .Where(p => p["metadata"]?["ownerReferences"] is JsonArray refs && refs.Any(r => r?["uid"]?.GetValue<string>() == uid))
            .ToList();
        foreach (var extra in pods.Skip(replicas))
        {
            _store.DeleteLocked(_pods, extra);
        }

        for (var i = pods.Count; i < replicas; i++)
        {
            var podTemplate = live["spec"]?["template"] ?? new JsonObject();
            var podName = $"{rsName}-{(++_podCounter).ToString("x5", CultureInfo.InvariantCulture)}";
            _store.CreateLocked(_pods, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = podName,
                    ["namespace"] = ns,
                    ["labels"] = podTemplate["metadata"]?["labels"]?.DeepClone(),
                    ["ownerReferences"] = new JsonArray(new JsonObject
                    {
                        ["apiVersion"] = "apps/v1",
                        ["kind"] = "ReplicaSet",
                        ["name"] = rsName,
                        ["uid"] = uid,
                        ["controller"] = true,
                    }),
                },
                ["spec"] = podTemplate["spec"]?.DeepClone() ?? new JsonObject(),
                ["status"] = new JsonObject { ["phase"] = "Running" },
            });
        }
    }

    private void WriteStatus(JsonObject deployment, bool complete)
    {
        var key = DeploymentKey(deployment);
        var desired = deployment["spec"]?["replicas"]?.GetValue<int>() ?? 1;
        var generation = deployment["metadata"]!["generation"]?.GetValue<long>() ?? 1;
        var now = _store.Timestamp();
        JsonObject status;
        if (_deadlineExceeded.Contains(key))
        {
            status = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["replicas"] = desired * 2,
                ["updatedReplicas"] = desired,
                ["readyReplicas"] = desired,
                ["availableReplicas"] = desired,
                ["unavailableReplicas"] = desired,
                ["conditions"] = new JsonArray(
                    Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
                    Condition("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet has timed out progressing.", now)),
            };
        }
        else if (complete)
        {
            status = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["replicas"] = desired,
                ["updatedReplicas"] = desired,
                ["readyReplicas"] = desired,
                ["availableReplicas"] = desired,
                ["conditions"] = new JsonArray(
                    Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
                    Condition("Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed.", now)),
            };
        }
        else
        {
            status = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["replicas"] = desired * 2,
                ["updatedReplicas"] = desired > 1 ? desired - 1 : desired,
                ["readyReplicas"] = desired,
                ["availableReplicas"] = desired,
                ["unavailableReplicas"] = desired,
                ["conditions"] = new JsonArray(
                    Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
                    Condition("Progressing", "True", "ReplicaSetUpdated", "ReplicaSet is progressing.", now)),
            };
        }

        var live = _store.GetLocked(_deployments, (string)deployment["metadata"]!["namespace"]!, (string)deployment["metadata"]!["name"]!);
        _store.UpdateLocked(_deployments, live, new JsonObject { ["status"] = status }, statusOnly: true, runController: false);
    }

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastUpdateTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private void Event(string ns, string deployment, string uid, string reason, string message)
    {
        _store.CreateLocked(_events, ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["generateName"] = deployment + ".", ["namespace"] = ns },
            ["involvedObject"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = deployment, ["namespace"] = ns, ["uid"] = uid },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = "Normal",
            ["source"] = new JsonObject { ["component"] = "deployment-controller" },
            ["firstTimestamp"] = _store.Timestamp(),
            ["lastTimestamp"] = _store.Timestamp(),
            ["count"] = 1,
        });
    }

    internal static long Revision(JsonObject rs) =>
        long.TryParse(rs["metadata"]?["annotations"]?[RevisionAnnotation]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;

    internal static bool EqualIgnoringHash(JsonNode? a, JsonNode? b)
    {
        var ca = a?.DeepClone();
        var cb = b?.DeepClone();
        (ca?["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        (cb?["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        return JsonNode.DeepEquals(ca, cb);
    }
}
