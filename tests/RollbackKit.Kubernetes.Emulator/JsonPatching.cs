using System.Globalization;
using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>JSON Patch (RFC 6902), JSON Merge Patch (RFC 7386) and a strategic merge patch subset.</summary>
public static class JsonPatching
{
    /// <summary>Applies an RFC 6902 JSON Patch to a copy of <paramref name="document"/>.</summary>
    /// <exception cref="InvalidOperationException">An operation cannot be applied.</exception>
    public static JsonNode ApplyJsonPatch(JsonNode document, JsonArray operations)
    {
        var doc = document.DeepClone();
        foreach (var opNode in operations)
        {
            if (opNode is not JsonObject op)
            {
                throw new InvalidOperationException("each JSON patch operation must be an object");
            }

            var kind = op["op"]?.GetValue<string>() ?? throw new InvalidOperationException("missing 'op'");
            var path = op["path"]?.GetValue<string>() ?? throw new InvalidOperationException("missing 'path'");
            switch (kind)
            {
                case "add":
                    doc = Set(doc, path, op["value"]?.DeepClone(), insert: true);
                    break;
                case "replace":
                    doc = Set(doc, path, op["value"]?.DeepClone(), insert: false);
                    break;
                case "remove":
                    Remove(doc, path);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                    {
                        throw new InvalidOperationException($"test operation failed at {path}");
                    }

                    break;
                case "copy":
                    doc = Set(doc, path, Get(doc, op["from"]!.GetValue<string>())?.DeepClone(), insert: true);
                    break;
                case "move":
                    var from = op["from"]!.GetValue<string>();
                    var value = Get(doc, from)?.DeepClone();
                    Remove(doc, from);
                    doc = Set(doc, path, value, insert: true);
                    break;
                default:
                    throw new InvalidOperationException($"unknown JSON patch op '{kind}'");
            }
        }

        return doc;
    }

    /// <summary>Applies an RFC 7386 merge patch to a copy of <paramref name="target"/>.</summary>
    public static JsonNode? ApplyMergePatch(JsonNode? target, JsonNode? patch) => Merge(target?.DeepClone(), patch, strategic: false);

    /// <summary>
    /// Applies a strategic merge patch (subset): a merge patch in which lists of objects that all carry a <c>name</c>
    /// (containers, env, ports, volumes) are merged by name, <c>$patch: replace|delete</c> is honoured and other
    /// <c>$</c> directives are ignored.
    /// </summary>
    public static JsonNode? ApplyStrategicMergePatch(JsonNode? target, JsonNode? patch) => Merge(target?.DeepClone(), patch, strategic: true);

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool strategic)
    {
        if (patch is not JsonObject patchObj)
        {
            return patch?.DeepClone();
        }

        if (strategic && patchObj["$patch"]?.GetValue<string>() == "replace")
        {
            var replaced = (JsonObject)patchObj.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObj)
        {
            if (strategic && key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            if (strategic && value is JsonArray patchList && result[key] is JsonArray currentList && IsNamedList(patchList) && IsNamedList(currentList))
            {
                result[key] = MergeNamedLists(currentList, patchList);
                continue;
            }

            var current = result[key];
            result.Remove(key);
            result[key] = Merge(current, value, strategic);
        }

        return result;
    }

    private static bool IsNamedList(JsonArray list) => list.All(i => i is JsonObject o && o["name"] is JsonValue);

    private static JsonArray MergeNamedLists(JsonArray current, JsonArray patch)
    {
        var merged = new JsonArray([.. current.Select(n => n!.DeepClone())]);
        foreach (var item in patch.Cast<JsonObject>())
        {
            var name = item["name"]!.ToString();
            var existing = merged.OfType<JsonObject>().FirstOrDefault(o => o["name"]!.ToString() == name);
            if (item["$patch"]?.GetValue<string>() == "delete")
            {
                if (existing is not null)
                {
                    merged.Remove(existing);
                }

                continue;
            }

            if (existing is null)
            {
                var clone = (JsonObject)item.DeepClone();
                clone.Remove("$patch");
                merged.Add(clone);
            }
            else
            {
                var index = merged.IndexOf(existing);
                var updated = Merge(existing.DeepClone(), item, strategic: true);
                merged[index] = updated;
            }
        }

        return merged;
    }

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new InvalidOperationException($"invalid JSON pointer '{pointer}'");
        }

        return [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Get(JsonNode doc, string pointer)
    {
        JsonNode? node = doc;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw new InvalidOperationException($"path '{pointer}' does not exist"),
            };
        }

        return node;
    }

    private static JsonNode Set(JsonNode doc, string pointer, JsonNode? value, bool insert)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value ?? throw new InvalidOperationException("cannot replace the document with null");
        }

        var parent = Get(doc, "/" + string.Join('/', tokens[..^1].Select(Escape)));
        if (tokens.Length == 1)
        {
            parent = doc;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o.Remove(last);
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                if (insert)
                {
                    a.Insert(i, value);
                }
                else if (i < a.Count)
                {
                    a[i] = value;
                }
                else
                {
                    throw new InvalidOperationException($"path '{pointer}' does not exist");
                }

                break;
            default:
                throw new InvalidOperationException($"path '{pointer}' does not exist");
        }

        return doc;
    }

    private static void Remove(JsonNode doc, string pointer)
    {
        var tokens = Tokens(pointer);
        var parent = tokens.Length == 1 ? doc : Get(doc, "/" + string.Join('/', tokens[..^1].Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new InvalidOperationException($"path '{pointer}' does not exist");
        }
    }

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
