using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>An API error carried as a Kubernetes <c>Status</c> object.</summary>
public sealed class EmulatorApiException(int code, string reason, string message) : Exception(message)
{
    /// <summary>HTTP status code.</summary>
    public int Code { get; } = code;

    /// <summary>Status reason (NotFound, AlreadyExists, Conflict, Forbidden, Invalid, BadRequest).</summary>
    public string Reason { get; } = reason;

    internal JsonObject ToStatus(ApiResource? resource = null, string? name = null) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = resource is null ? null : new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural },
        ["code"] = Code,
    };
}

/// <summary>A change, as delivered to watchers.</summary>
internal sealed record WatchEvent(long ResourceVersion, string Type, ApiResource Resource, string? Namespace, JsonObject Object);

/// <summary>The generic object store: objects keyed by (group, resource, namespace, name), with Kubernetes metadata semantics.</summary>
public sealed class ResourceStore
{
    private static readonly HashSet<string> s_withStatusSubresource = ["pods", "services", "namespaces", "deployments", "replicasets"];
    private readonly object _gate = new();
    private readonly Dictionary<string, (ApiResource Resource, JsonObject Object)> _objects = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _history = [];
    private readonly List<(Func<WatchEvent, bool> Filter, ChannelWriter<WatchEvent> Writer)> _watchers = [];
    private readonly TimeProvider _time;
    private long _resourceVersion = 1000;
    private long _uid;

    internal ResourceStore(TimeProvider time) => _time = time;

    /// <summary>Called (under the store lock) after a main-resource write of a deployment: old object (null on create) and new object.</summary>
    internal Action<ApiResource, JsonObject?, JsonObject>? AfterWrite { get; set; }

    /// <summary>Called (under the store lock) after a read of objects of a resource.</summary>
    internal Action<ApiResource, IReadOnlyList<JsonObject>>? AfterRead { get; set; }

    /// <summary>The current (latest) resource version.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    internal object Gate => _gate;

    private static string Key(ApiResource r, string? ns, string name) => $"{r.Group}/{r.Plural}/{ns}/{name}";

    /// <summary>Gets a copy of an object, or null.</summary>
    public JsonObject? Get(ApiResource resource, string? ns, string name)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(Key(resource, ns, name), out var entry))
            {
                return null;
            }

            AfterRead?.Invoke(resource, [entry.Object]);
            return (JsonObject)_objects[Key(resource, ns, name)].Object.DeepClone();
        }
    }

    /// <summary>Lists copies of matching objects (namespace null = all namespaces).</summary>
    public (List<JsonObject> Items, long ResourceVersion) List(ApiResource resource, string? ns, LabelSelector? labels = null, FieldSelector? fields = null)
    {
        lock (_gate)
        {
            var matching = Snapshot(resource, ns, labels, fields);
            if (matching.Count > 0)
            {
                AfterRead?.Invoke(resource, matching);
                matching = Snapshot(resource, ns, labels, fields);
            }

            return ([.. matching.Select(o => (JsonObject)o.DeepClone())], _resourceVersion);
        }
    }

    private List<JsonObject> Snapshot(ApiResource resource, string? ns, LabelSelector? labels, FieldSelector? fields)
    {
        var prefix = $"{resource.Group}/{resource.Plural}/";
        return [.. _objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(kv => kv.Value.Object)
            .Where(o => ns is null || (o["metadata"]?["namespace"]?.GetValue<string>() ?? "") == ns)
            .Where(o => labels is null || labels.Matches(LabelSelector.LabelsOf(o)))
            .Where(o => fields is null || fields.Matches(o))
            .OrderBy(o => o["metadata"]?["namespace"]?.GetValue<string>(), StringComparer.Ordinal)
            .ThenBy(o => o["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal)];
    }

    /// <summary>Creates an object; 409 AlreadyExists when the name is taken.</summary>
    public JsonObject Create(ApiResource resource, string? ns, JsonObject obj)
    {
        lock (_gate)
        {
            var created = CreateLocked(resource, ns, obj);
            AfterWrite?.Invoke(resource, null, created);
            return (JsonObject)_objects[KeyOf(resource, created)].Object.DeepClone();
        }
    }

    internal JsonObject CreateLocked(ApiResource resource, string? ns, JsonObject obj)
    {
        obj = Normalize(obj);
        var meta = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = meta;
        var name = meta["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            var generate = meta["generateName"]?.GetValue<string>();
            if (string.IsNullOrEmpty(generate))
            {
                throw new EmulatorApiException(422, "Invalid", $"{resource.Kind} is invalid: metadata.name: Required value: name or generateName is required");
            }

            name = generate + (++_uid).ToString("x5", CultureInfo.InvariantCulture);
            meta["name"] = name;
        }

        if (resource.Namespaced)
        {
            ns ??= meta["namespace"]?.GetValue<string>() ?? "default";
            meta["namespace"] = ns;
        }
        else
        {
            ns = null;
            meta.Remove("namespace");
        }

        var key = Key(resource, ns, name);
        if (_objects.ContainsKey(key))
        {
            throw new EmulatorApiException(409, "AlreadyExists", $"{QualifiedPlural(resource)} \"{name}\" already exists");
        }

        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        if (resource.Kind == "Secret" && string.IsNullOrEmpty(obj["type"]?.ToString()))
        {
            obj["type"] = "Opaque";
        }

        meta["uid"] = $"00000000-0000-4000-8000-{++_uid:D12}";
        meta["creationTimestamp"] = Timestamp();
        meta.Remove("deletionTimestamp");
        if (obj["spec"] is not null)
        {
            meta["generation"] = 1;
        }

        meta["resourceVersion"] = Next();
        obj = Normalize(obj);
        _objects[key] = (resource, obj);
        Publish("ADDED", resource, ns, obj);
        return obj;
    }

    /// <summary>Replaces an object (PUT). A non-empty metadata.resourceVersion must match (409 Conflict).</summary>
    public JsonObject Replace(ApiResource resource, string? ns, string name, JsonObject obj, bool statusOnly = false)
    {
        lock (_gate)
        {
            var existing = GetLocked(resource, ns, name);
            var rv = obj["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(rv) && rv != existing["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw Conflict(resource, name);
            }

            return UpdateLocked(resource, existing, obj, statusOnly, runController: true);
        }
    }

    /// <summary>Reads, transforms and writes an object atomically (PATCH). <paramref name="createIfMissing"/> creates from an empty object.</summary>
    public JsonObject Mutate(ApiResource resource, string? ns, string name, Func<JsonObject, JsonObject> change, bool statusOnly = false, bool createIfMissing = false, bool dryRun = false)
    {
        lock (_gate)
        {
            if (!_objects.ContainsKey(Key(resource, ns, name)) && createIfMissing)
            {
                var fresh = change(new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns } });
                if (dryRun)
                {
                    return fresh;
                }

                var created = CreateLocked(resource, ns, fresh);
                AfterWrite?.Invoke(resource, null, created);
                return (JsonObject)_objects[KeyOf(resource, created)].Object.DeepClone();
            }

            var existing = GetLocked(resource, ns, name);
            var changed = change((JsonObject)existing.DeepClone());
            var rv = changed["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(rv) && rv != existing["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw Conflict(resource, name);
            }

            if (dryRun)
            {
                return changed;
            }

            return UpdateLocked(resource, existing, changed, statusOnly, runController: true);
        }
    }

    internal JsonObject UpdateLocked(ApiResource resource, JsonObject existing, JsonObject obj, bool statusOnly, bool runController)
    {
        obj = Normalize(obj);
        var oldMeta = (JsonObject)existing["metadata"]!;
        JsonObject updated;
        if (statusOnly)
        {
            updated = (JsonObject)existing.DeepClone();
            updated["status"] = obj["status"]?.DeepClone();
        }
        else
        {
            updated = obj;
            if (s_withStatusSubresource.Contains(resource.Plural))
            {
                updated["status"] = existing["status"]?.DeepClone();
            }
        }

        var meta = updated["metadata"] as JsonObject ?? [];
        updated["metadata"] = meta;
        foreach (var keep in new[] { "name", "namespace", "uid", "creationTimestamp" })
        {
            meta[keep] = oldMeta[keep]?.DeepClone();
        }

        updated["apiVersion"] = resource.ApiVersion;
        updated["kind"] = resource.Kind;
        var generation = oldMeta["generation"]?.GetValue<long>() ?? 0;
        if (!statusOnly && updated["spec"] is not null && !JsonNode.DeepEquals(existing["spec"], updated["spec"]))
        {
            generation++;
        }

        if (generation > 0)
        {
            meta["generation"] = generation;
        }

        updated = Normalize(updated);
        meta = (JsonObject)updated["metadata"]!;
        if (JsonNode.DeepEquals(WithoutRv(existing), WithoutRv(updated)))
        {
            return (JsonObject)existing.DeepClone();
        }

        meta["resourceVersion"] = Next();
        var ns = meta["namespace"]?.GetValue<string>();
        _objects[Key(resource, ns, meta["name"]!.GetValue<string>())] = (resource, updated);
        Publish("MODIFIED", resource, ns, updated);
        if (runController && !statusOnly)
        {
            AfterWrite?.Invoke(resource, existing, updated);
        }

        return (JsonObject)_objects[KeyOf(resource, updated)].Object.DeepClone();
    }

    /// <summary>
    /// Deletes an object and (garbage collection) everything it owns; returns the deleted object. A given
    /// <paramref name="resourceVersion"/> or <paramref name="uid"/> precondition must match (409 Conflict), as a real API server checks
    /// <c>DeleteOptions.preconditions</c>.
    /// </summary>
    public JsonObject Delete(ApiResource resource, string? ns, string name, string? resourceVersion = null, string? uid = null)
    {
        lock (_gate)
        {
            var existing = GetLocked(resource, ns, name);
            if ((!string.IsNullOrEmpty(resourceVersion) && resourceVersion != existing["metadata"]?["resourceVersion"]?.GetValue<string>())
                || (!string.IsNullOrEmpty(uid) && uid != existing["metadata"]?["uid"]?.GetValue<string>()))
            {
                throw Conflict(resource, name);
            }

            DeleteLocked(resource, existing);
            return (JsonObject)existing.DeepClone();
        }
    }

    internal void DeleteLocked(ApiResource resource, JsonObject existing)
    {
        var meta = (JsonObject)existing["metadata"]!;
        var ns = meta["namespace"]?.GetValue<string>();
        _objects.Remove(Key(resource, ns, meta["name"]!.GetValue<string>()));
        meta["resourceVersion"] = Next();
        Publish("DELETED", resource, ns, existing);
        var uid = meta["uid"]!.GetValue<string>();
        var owned = _objects.Values
            .Where(e => e.Object["metadata"]?["ownerReferences"] is JsonArray refs && refs.Any(r => r?["uid"]?.GetValue<string>() == uid))
            .ToList();
        foreach (var (r, o) in owned)
        {
            if (_objects.ContainsKey(KeyOf(r, o)))
            {
                DeleteLocked(r, o);
            }
        }
    }

    internal JsonObject GetLocked(ApiResource resource, string? ns, string name) =>
        _objects.TryGetValue(Key(resource, ns, name), out var entry)
            ? entry.Object
            : throw new EmulatorApiException(404, "NotFound", $"{QualifiedPlural(resource)} \"{name}\" not found");

    internal JsonObject? TryGetLocked(ApiResource resource, string? ns, string name) =>
        _objects.TryGetValue(Key(resource, ns, name), out var entry) ? entry.Object : null;

    internal List<JsonObject> ListLocked(ApiResource resource, string? ns) => Snapshot(resource, ns, null, null);

    internal static string KeyOf(ApiResource r, JsonObject o) =>
        Key(r, o["metadata"]?["namespace"]?.GetValue<string>(), o["metadata"]!["name"]!.GetValue<string>());

    internal static string QualifiedPlural(ApiResource r) => r.Group.Length == 0 ? r.Plural : $"{r.Plural}.{r.Group}";

    internal static EmulatorApiException Conflict(ApiResource r, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {QualifiedPlural(r)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");

    internal string Timestamp() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private string Next() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static JsonObject WithoutRv(JsonObject o)
    {
        var c = (JsonObject)o.DeepClone();
        ((JsonObject)c["metadata"]!).Remove("resourceVersion");
        return c;
    }

    /// <summary>Re-parses an object so every value is JSON-backed (numbers convert to any numeric type) and drops nulls.</summary>
    internal static JsonObject Normalize(JsonObject obj) => (JsonObject)StripNulls(JsonNode.Parse(obj.ToJsonString()))!;

    internal static JsonNode? StripNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
                {
                    o.Remove(key);
                }

                foreach (var (_, v) in o)
                {
                    StripNulls(v);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    StripNulls(v);
                }

                break;
        }

        return node;
    }

    private void Publish(string type, ApiResource resource, string? ns, JsonObject obj)
    {
        var evt = new WatchEvent(_resourceVersion, type, resource, ns, (JsonObject)obj.DeepClone());
        _history.Add(evt);
        if (_history.Count > 20000)
        {
            _history.RemoveRange(0, 5000);
        }

        foreach (var (filter, writer) in _watchers)
        {
            if (filter(evt))
            {
                writer.TryWrite(evt);
            }
        }
    }

    /// <summary>Subscribes to changes after <paramref name="sinceResourceVersion"/> (or synthetic ADDED events for the current state when null).</summary>
    internal ChannelReader<WatchEvent> Watch(ApiResource resource, string? ns, Func<WatchEvent, bool> filter, long? sinceResourceVersion, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<WatchEvent>();
        bool Filter(WatchEvent e) => e.Resource == resource && (ns is null || e.Namespace == ns) && filter(e);
        lock (_gate)
        {
            if (sinceResourceVersion is { } since)
            {
                foreach (var evt in _history.Where(e => e.ResourceVersion > since && Filter(e)))
                {
                    channel.Writer.TryWrite(evt);
                }
            }
            else
            {
                foreach (var o in Snapshot(resource, ns, null, null))
                {
                    var evt = new WatchEvent(_resourceVersion, "ADDED", resource, ns, (JsonObject)o.DeepClone());
                    if (Filter(evt))
                    {
                        channel.Writer.TryWrite(evt);
                    }
                }
            }

            var entry = ((Func<WatchEvent, bool>)Filter, channel.Writer);
            _watchers.Add(entry);
            cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    _watchers.Remove(entry);
                }

                channel.Writer.TryComplete();
            });
        }

        return channel.Reader;
    }
}
