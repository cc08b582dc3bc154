using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>
/// The initial events of a streaming list (<c>watch=true&amp;sendInitialEvents=true</c>): every current object as an
/// ADDED event, then a BOOKMARK annotated <c>k8s.io/initial-events-end: "true"</c> at the list's resource version.
/// </summary>
internal sealed class InitialEvents
{
    private InitialEvents(List<JsonObject> items, long resourceVersion)
    {
        Items = items;
        ResourceVersion = resourceVersion;
    }

    public List<JsonObject> Items { get; }

    public long ResourceVersion { get; }

    public static InitialEvents Snapshot(ResourceStore store, ApiResource resource, string? ns, string? name, LabelSelector labels, FieldSelector fields)
    {
        var (items, resourceVersion) = store.List(resource, ns, labels, fields);
        items.RemoveAll(o => name is not null && o["metadata"]?["name"]?.GetValue<string>() != name);
        return new InitialEvents(items, resourceVersion);
    }

    public string ToWatchLines(ApiResource resource)
    {
        var lines = new StringBuilder();
        foreach (var item in Items)
        {
            lines.Append(new JsonObject { ["type"] = "ADDED", ["object"] = item.DeepClone() }.ToJsonString()).Append('\n');
        }

        lines.Append(new JsonObject
        {
            ["type"] = "BOOKMARK",
            ["object"] = new JsonObject
            {
                ["kind"] = resource.Kind,
                ["apiVersion"] = resource.ApiVersion,
                ["metadata"] = new JsonObject
                {
                    ["resourceVersion"] = ResourceVersion.ToString(CultureInfo.InvariantCulture),
                    ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                },
            },
        }.ToJsonString()).Append('\n');
        return lines.ToString();
    }
}
