using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>One resource type the emulator serves (group/version/plural), with its discovery data.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced, string[] ShortNames, string Singular)
{
    /// <summary>The apiVersion string (<c>v1</c> or <c>group/version</c>).</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Subresources served (<c>status</c>, <c>scale</c>, <c>log</c>).</summary>
    public string[] Subresources { get; init; } = [];

    internal static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}

/// <summary>The resource types the emulator knows; add more with <see cref="Add"/>.</summary>
public sealed class ApiResourceRegistry
{
    private readonly List<ApiResource> _resources =
    [
        new("", "v1", "pods", "Pod", true, ["po"], "pod") { Subresources = ["log", "status"] },
        new("", "v1", "events", "Event", true, ["ev"], "event"),
        new("", "v1", "configmaps", "ConfigMap", true, ["cm"], "configmap"),
        new("", "v1", "secrets", "Secret", true, [], "secret"),
        new("", "v1", "services", "Service", true, ["svc"], "service") { Subresources = ["status"] },
        new("", "v1", "serviceaccounts", "ServiceAccount", true, ["sa"], "serviceaccount"),
        new("", "v1", "namespaces", "Namespace", false, ["ns"], "namespace") { Subresources = ["status"] },
        new("apps", "v1", "deployments", "Deployment", true, ["deploy"], "deployment") { Subresources = ["scale", "status"] },
        new("apps", "v1", "replicasets", "ReplicaSet", true, ["rs"], "replicaset") { Subresources = ["scale", "status"] },
        new("coordination.k8s.io", "v1", "leases", "Lease", true, [], "lease"),
        new("networking.istio.io", "v1beta1", "virtualservices", "VirtualService", true, ["vs"], "virtualservice"),
    ];

    /// <summary>All registered resources.</summary>
    public IReadOnlyList<ApiResource> Resources
    {
        get
        {
            lock (_resources)
            {
                return [.. _resources];
            }
        }
    }

    /// <summary>Registers another resource type (for example a custom resource).</summary>
    public void Add(ApiResource resource)
    {
        lock (_resources)
        {
            _resources.Add(resource);
        }
    }

    /// <summary>Finds a resource by group, version and plural name.</summary>
    public ApiResource? Find(string group, string version, string plural)
    {
        lock (_resources)
        {
            return _resources.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
        }
    }

    /// <summary>Finds a resource by apiVersion and plural name.</summary>
    public ApiResource? Find(string apiVersion, string plural)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Find("", apiVersion, plural) : Find(apiVersion[..slash], apiVersion[(slash + 1)..], plural);
    }

    internal JsonObject ApiVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
    };

    internal JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var g in Resources.Where(r => r.Group.Length > 0).GroupBy(r => r.Group))
        {
            var versions = new JsonArray();
            foreach (var v in g.Select(r => r.Version).Distinct())
            {
                versions.Add(new JsonObject { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v });
            }

            groups.Add(new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = versions,
                ["preferredVersion"] = versions[0]!.DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    internal JsonObject? ResourceList(string group, string version)
    {
        var matching = Resources.Where(r => r.Group == group && r.Version == version).ToList();
        if (matching.Count == 0)
        {
            return null;
        }

        var list = new JsonArray();
        foreach (var r in matching)
        {
            var entry = new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. ApiResource.AllVerbs.Select(v => (JsonNode)JsonValue.Create(v))]),
            };
            if (r.ShortNames.Length > 0)
            {
                entry["shortNames"] = new JsonArray([.. r.ShortNames.Select(v => (JsonNode)JsonValue.Create(v))]);
            }

            list.Add(entry);
            foreach (var sub in r.Subresources)
            {
                var kind = sub switch { "scale" => "Scale", "log" => "Pod", _ => r.Kind };
                string[] verbs = sub switch { "log" => ["get"], _ => ["get", "patch", "update"] };
                var subEntry = new JsonObject
                {
                    ["name"] = $"{r.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = r.Namespaced,
                    ["kind"] = kind,
                    ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)JsonValue.Create(v))]),
                };
                if (sub == "scale")
                {
                    subEntry["group"] = "autoscaling";
                    subEntry["version"] = "v1";
                }

                list.Add(subEntry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = list,
        };
    }
}
