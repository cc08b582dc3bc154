using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RollbackKit.Helm.Internal;

/// <summary>One entry of <c>helm history -o json</c>.</summary>
internal readonly record struct HelmRevision(
    int Revision,
    DateTimeOffset? Updated,
    string Status,
    string Chart,
    string AppVersion,
    string Description);

/// <summary>The parts of <c>helm status -o json</c> the steps use.</summary>
internal sealed record HelmReleaseStatus
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    public required int Revision { get; init; }

    public required string Status { get; init; }

    public string Description { get; init; } = string.Empty;

    public string ChartName { get; init; } = string.Empty;

    public string ChartVersion { get; init; } = string.Empty;

    public string AppVersion { get; init; } = string.Empty;

    public DateTimeOffset? LastDeployed { get; init; }
}

/// <summary>helm printed something that is not the JSON it documents.</summary>
internal sealed class HelmOutputException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Reads helm's JSON output (helm 3 and helm 4 shapes).</summary>
internal static class HelmJson
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { AllowTrailingCommas = false, MaxDepth = 64 };

    /// <summary>Parses <c>helm history -o json</c>: an array of revisions (sorted by revision on return).</summary>
    public static List<HelmRevision> ParseHistory(string json)
    {
        using var document = Parse(json, "history");
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new HelmOutputException($"helm history: expected a JSON array, got {document.RootElement.ValueKind}");
        }

        var revisions = new List<HelmRevision>(document.RootElement.GetArrayLength());
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new HelmOutputException($"helm history: expected objects in the array, got {item.ValueKind}");
            }

            var revision = GetInt(item, "revision")
                ?? throw new HelmOutputException("helm history: an entry has no numeric 'revision'");
            revisions.Add(new HelmRevision(
                revision,
                GetTime(item, "updated"),
                GetString(item, "status") ?? string.Empty,
                GetString(item, "chart") ?? string.Empty,
                GetString(item, "app_version") ?? GetString(item, "appVersion") ?? string.Empty,
                GetString(item, "description") ?? string.Empty));
        }

        revisions.Sort(static (a, b) => a.Revision.CompareTo(b.Revision));
        return revisions;
    }

    /// <summary>Parses <c>helm status -o json</c> (a release object).</summary>
    public static HelmReleaseStatus ParseStatus(string json)
    {
        using var document = Parse(json, "status");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new HelmOutputException($"helm status: expected a JSON object, got {root.ValueKind}");
        }

        var revision = GetInt(root, "version") ?? throw new HelmOutputException("helm status: no numeric 'version' (revision)");
        var info = root.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        var status = info.ValueKind == JsonValueKind.Object ? GetString(info, "status") : null;
        if (string.IsNullOrEmpty(status))
        {
            throw new HelmOutputException("helm status: no 'info.status'");
        }

        var metadata = root.TryGetProperty("chart", out var chart) && chart.ValueKind == JsonValueKind.Object
            && chart.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var hasMetadata = metadata.ValueKind == JsonValueKind.Object;
        return new HelmReleaseStatus
        {
            Name = GetString(root, "name") ?? string.Empty,
            Namespace = GetString(root, "namespace") ?? string.Empty,
            Revision = revision,
            Status = status,
            Description = GetString(info, "description") ?? string.Empty,
            ChartName = hasMetadata ? GetString(metadata, "name") ?? string.Empty : string.Empty,
            ChartVersion = hasMetadata ? GetString(metadata, "version") ?? string.Empty : string.Empty,
            AppVersion = hasMetadata ? GetString(metadata, "appVersion") ?? string.Empty : string.Empty,
            LastDeployed = GetTime(info, "last_deployed"),
        };
    }

    /// <summary>
    /// Returns <c>helm status -o json</c> fit for the evidence bundle: user-supplied values (<c>config</c>), chart
    /// values, templates, files, rendered manifests and hooks are removed because they may hold secrets, and helm 4's
    /// live <c>info.resources</c> are reduced to their names.
    /// </summary>
    public static string TrimStatusForEvidence(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: s_documentOptions);
        }
        catch (JsonException)
        {
            return "[helm status output is not JSON; omitted]";
        }

        if (node is not JsonObject release)
        {
            return "[helm status output is not a JSON object; omitted]";
        }

        foreach (var key in (string[])["config", "manifest", "hooks"])
        {
            if (release.ContainsKey(key))
            {
                release[key] = "[removed: may contain secrets]";
            }
        }

        // helm 4 embeds the live resources (Secrets included) in info.resources: keep only their names.
        if (release["info"] is JsonObject info && info["resources"] is JsonObject resources)
        {
            var names = new JsonObject();
            foreach (var (kind, list) in resources)
            {
                var kindNames = new JsonArray();
                if (list is JsonArray items)
                {
                    foreach (var item in items)
                    {
                        if (item?["metadata"]?["name"] is JsonValue name && name.TryGetValue<string>(out var text))
                        {
                            kindNames.Add(text);
                        }
                    }
                }

                names[kind] = kindNames;
            }

            info["resources"] = names;
        }

        if (release["chart"] is JsonObject chartObject)
        {
            foreach (var key in (string[])["values", "templates", "files", "schema"])
            {
                chartObject.Remove(key);
            }
        }

        return release.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonDocument Parse(string json, string command)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new HelmOutputException($"helm {command}: empty output");
        }

        try
        {
            return JsonDocument.Parse(json, s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw new HelmOutputException($"helm {command}: output is not valid JSON ({ex.Message})", ex);
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? GetInt(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
    }

    private static DateTimeOffset? GetTime(JsonElement element, string name)
    {
        var text = GetString(element, name);
        return !string.IsNullOrEmpty(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            && time.Year > 1
            ? time
            : null;
    }
}
