using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>A request the emulator received.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Query">Query string (with leading '?'), or empty.</param>
/// <param name="ContentType">Content type of the body, if any.</param>
/// <param name="Verb">Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection), or empty for discovery.</param>
/// <param name="Resource">Resource plural (with <c>/subresource</c>), or empty.</param>
/// <param name="StatusCode">Response status code.</param>
/// <param name="Body">Request body (for writes), or empty.</param>
public sealed record EmulatorRequest(string Method, string Path, string Query, string? ContentType, string Verb, string Resource, int StatusCode, string Body);

/// <summary>
/// An in-process Kubernetes API server emulator: plain HTTP on 127.0.0.1 with a generic object store, discovery,
/// JSON/merge/strategic/apply patches, label and field selectors, watches, a simulated deployment controller,
/// fault injection and a request log. Works with kubectl, helm and the .NET client.
/// </summary>
public sealed class KubernetesApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<EmulatorRequest> _requests = new();
    private readonly List<Fault> _faults = [];
    private readonly HashSet<(string Verb, string Resource)> _forbidden = [];
    private readonly Dictionary<string, string[]> _podLogs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _watchesStarted;

    private KubernetesApiEmulator(WebApplication app, TimeProvider time)
    {
        _app = app;
        Registry = new ApiResourceRegistry();
        Store = new ResourceStore(time);
        Deployments = new DeploymentController(Store, Registry);
    }

    /// <summary>The resource types served.</summary>
    public ApiResourceRegistry Registry { get; }

    /// <summary>The object store.</summary>
    public ResourceStore Store { get; }

    /// <summary>The simulated deployment controller.</summary>
    public DeploymentController Deployments { get; }

    /// <summary>The base address, for example <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many watch requests have started (a watch is logged in <see cref="Requests"/> only when it ends).</summary>
    public int WatchesStarted => Volatile.Read(ref _watchesStarted);

    /// <summary>
    /// Called for every resource request before it is served; returning a status code answers with that code instead
    /// (for example to cut one client off: match on the body or the path). Null: serve normally.
    /// </summary>
    public Func<EmulatorRequest, int?>? Interceptor { get; set; }

    /// <summary>Whether requests are recorded in <see cref="Requests"/>. Default: true (turn off for long benchmark runs).</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Delay added to every request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<EmulatorRequest> Requests => [.. _requests];

    /// <summary>Starts an emulator on 127.0.0.1 with a free port.</summary>
    /// <param name="timeProvider">Clock for creation timestamps (default: system).</param>
    public static async Task<KubernetesApiEmulator> StartAsync(TimeProvider? timeProvider = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var emulator = new KubernetesApiEmulator(app, timeProvider ?? TimeProvider.System);
        app.Run(emulator.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return emulator;
    }

    /// <summary>Writes a kubeconfig pointing at this emulator and returns its path.</summary>
    /// <param name="directory">Directory to write <c>kubeconfig</c> into.</param>
    /// <param name="namespace">Default namespace of the context.</param>
    public string WriteKubeconfig(string directory, string @namespace = "default")
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {BaseAddress.ToString().TrimEnd('/')}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                user: emulator
                namespace: {@namespace}
            current-context: emulator
            users:
            - name: emulator
              user: {"{}"}
            """);
        return path;
    }

    /// <summary>Answers 403 Forbidden for a verb on a resource (plural, optionally <c>plural/subresource</c>) until <see cref="Allow"/>.</summary>
    public void Forbid(string verb, string resource)
    {
        lock (_forbidden)
        {
            _forbidden.Add((verb, resource));
        }
    }

    /// <summary>Removes a <see cref="Forbid"/> rule.</summary>
    public void Allow(string verb, string resource)
    {
        lock (_forbidden)
        {
            _forbidden.Remove((verb, resource));
        }
    }

    /// <summary>Answers the next <paramref name="count"/> matching requests with <paramref name="statusCode"/> (409 gives a Conflict Status).</summary>
    /// <param name="count">How many requests fail.</param>
    /// <param name="statusCode">409, 429, 500, 503, …</param>
    /// <param name="verb">Only requests with this verb (null: any).</param>
    /// <param name="resource">Only requests for this resource plural (null: any).</param>
    public void InjectFaults(int count, int statusCode, string? verb = null, string? resource = null)
    {
        lock (_faults)
        {
            _faults.Add(new Fault { Remaining = count, StatusCode = statusCode, Verb = verb, Resource = resource });
        }
    }

    /// <summary>Removes every injected fault.</summary>
    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    /// <summary>Clears the request log.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Sets the log lines returned for a pod.</summary>
    public void SetPodLog(string ns, string pod, params string[] lines)
    {
        lock (_podLogs)
        {
            _podLogs[$"{ns}/{pod}"] = lines;
        }
    }

    /// <summary>Finds a resource type by apiVersion and plural, or throws.</summary>
    public ApiResource Resource(string apiVersion, string plural) =>
        Registry.Find(apiVersion, plural) ?? throw new ArgumentException($"unknown resource {apiVersion} {plural}");

    /// <summary>Creates an object (seeding). <paramref name="json"/> is the object as JSON.</summary>
    public JsonObject Create(string apiVersion, string plural, string? ns, string json) =>
        Store.Create(Resource(apiVersion, plural), ns, (JsonObject)JsonNode.Parse(json)!);

    /// <summary>Gets an object, or null.</summary>
    public JsonObject? Get(string apiVersion, string plural, string? ns, string name) => Store.Get(Resource(apiVersion, plural), ns, name);

    /// <summary>Lists objects with an optional label selector.</summary>
    public IReadOnlyList<JsonObject> List(string apiVersion, string plural, string? ns, string? labelSelector = null) =>
        Store.List(Resource(apiVersion, plural), ns, LabelSelector.Parse(labelSelector)).Items;

    /// <summary>Changes an object with a merge patch (as a client would).</summary>
    public JsonObject MergePatch(string apiVersion, string plural, string? ns, string name, string patchJson)
    {
        var patch = JsonNode.Parse(patchJson);
        return Store.Mutate(Resource(apiVersion, plural), ns, name, o => (JsonObject)JsonPatching.ApplyMergePatch(o, patch)!);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Fault
    {
        public int Remaining { get; set; }

        public int StatusCode { get; init; }

        public string? Verb { get; init; }

        public string? Resource { get; init; }
    }

    private sealed record Route(ApiResource? Resource, string? Namespace, string? Name, string? Subresource, string Verb);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = "";
        if (KubernetesProtobuf.IsProtobuf(request.ContentType))
        {
            // client-go's generated clientsets write Secrets and ConfigMaps as protobuf (helm's release storage).
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = KubernetesProtobuf.BodyAsJson(buffer.ToArray());
        }
        else if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            var bytes = buffer.ToArray();
            body = KubeProtobuf.IsProtobuf(bytes) ? ProtobufMarker + Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes);
        }

        var verb = "";
        var resourceName = "";
        var status = 200;
        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, context.RequestAborted).ConfigureAwait(false);
            }

            var route = Parse(request.Path.Value ?? "/", request.Method, request.Query);
            if (route is null)
            {
                status = await DiscoveryAsync(context).ConfigureAwait(false);
                return;
            }

            verb = route.Verb;
            resourceName = route.Resource is null ? "" : route.Subresource is null ? route.Resource.Plural : $"{route.Resource.Plural}/{route.Subresource}";
            if (Interceptor?.Invoke(new EmulatorRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, verb, resourceName, 0, body)) is { } forced)
            {
                throw new EmulatorApiException(forced, forced == 403 ? "Forbidden" : "InternalError", $"intercepted with {forced}");
            }

            CheckFaults(route, resourceName);
            status = await ServeAsync(context, route, body).ConfigureAwait(false);
        }
        catch (EmulatorApiException ex)
        {
            status = ex.Code;
            await WriteJsonAsync(context, ex.Code, ex.ToStatus()).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            status = 499;
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or FormatException or KeyNotFoundException)
        {
            status = 400;
            await WriteJsonAsync(context, 400, new EmulatorApiException(400, "BadRequest", ex.Message).ToStatus()).ConfigureAwait(false);
        }
        finally
        {
            if (RecordRequests)
            {
                _requests.Enqueue(new EmulatorRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, verb, resourceName, status, body));
            }
        }
    }

    private void CheckFaults(Route route, string resourceName)
    {
        lock (_forbidden)
        {
            if (_forbidden.Contains((route.Verb, resourceName)) || _forbidden.Contains((route.Verb, route.Resource!.Plural)))
            {
                var group = route.Resource!.Group;
                var scope = route.Namespace is null ? "at the cluster scope" : $"in the namespace \"{route.Namespace}\"";
                throw new EmulatorApiException(403, "Forbidden",
                    $"{ResourceStore.QualifiedPlural(route.Resource)} \"{route.Name}\" is forbidden: User \"system:serviceaccount:rollbackkit:controller\" cannot {route.Verb} resource \"{resourceName}\" in API group \"{group}\" {scope}");
            }
        }

        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && (f.Verb is null || f.Verb == route.Verb) && (f.Resource is null || f.Resource == route.Resource!.Plural));
            if (fault is null)
            {
                return;
            }

            fault.Remaining--;
            if (fault.StatusCode == 409)
            {
                throw ResourceStore.Conflict(route.Resource!, route.Name ?? "");
            }

            throw new EmulatorApiException(fault.StatusCode, fault.StatusCode == 429 ? "TooManyRequests" : "InternalError", $"injected failure {fault.StatusCode}");
        }
    }

    private Route? Parse(string path, string method, IQueryCollection query)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], 2);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return null;
        }

        var parts = segments[rest..];
        string? ns = null;
        if (parts.Length >= 3 && parts[0] == "namespaces")
        {
            ns = parts[1];
            parts = parts[2..];
        }

        var resource = Registry.Find(group, version, parts[0])
            ?? throw new EmulatorApiException(404, "NotFound", $"the server could not find the requested resource ({group}/{version} {parts[0]})");
        var name = parts.Length > 1 ? parts[1] : null;
        var sub = parts.Length > 2 ? parts[2] : null;
        var watch = query["watch"] is { Count: > 0 } w && (w[0] == "true" || w[0] == "1");
        var verb = method switch
        {
            "GET" when watch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => throw new EmulatorApiException(405, "MethodNotAllowed", $"method {method} not allowed"),
        };
        return new Route(resource, resource.Namespaced ? ns : null, name, sub, verb);
    }

    private async Task<int> DiscoveryAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? "/").TrimEnd('/');
        JsonNode? response = path switch
        {
            "/version" => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "32",
                ["gitVersion"] = "v1.32.0",
                ["gitCommit"] = "emulator",
                ["gitTreeState"] = "clean",
                ["buildDate"] = "2024-12-11T00:00:00Z",
                ["goVersion"] = "go1.23.4",
                ["compiler"] = "gc",
                ["platform"] = "linux/amd64",
            },
            "/api" => Registry.ApiVersions(),
            "/apis" => Registry.GroupList(),
            "/healthz" or "/readyz" or "/livez" => null,
            "/openapi/v3" => OpenApiV3Root(),
            _ when path.StartsWith("/openapi/v3/", StringComparison.Ordinal) => OpenApiV3GroupVersion(path["/openapi/v3/".Length..]),
            _ => DiscoveryResourceList(path),
        };
        if (path is "/healthz" or "/readyz" or "/livez")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok").ConfigureAwait(false);
            return 200;
        }

        if (response is null)
        {
            var notFound = new EmulatorApiException(404, "NotFound", "the server could not find the requested resource");
            await WriteJsonAsync(context, 404, notFound.ToStatus()).ConfigureAwait(false);
            return 404;
        }

        await WriteJsonAsync(context, 200, response).ConfigureAwait(false);
        return 200;
    }

    /// <summary>
    /// The OpenAPI v3 index: one document per group/version. The documents only describe each resource's PATCH operation
    /// with its <c>fieldValidation</c> parameter, which is what kubectl and helm look for to leave validation to the server.
    /// </summary>
    private JsonObject OpenApiV3Root()
    {
        var paths = new JsonObject();
        foreach (var gv in Registry.Resources.Select(r => r.Group.Length == 0 ? $"api/{r.Version}" : $"apis/{r.Group}/{r.Version}").Distinct())
        {
            paths[gv] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash=emulator" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    private JsonObject? OpenApiV3GroupVersion(string groupVersionPath)
    {
        var segments = groupVersionPath.Split('/');
        var (group, version) = segments switch
        {
            ["api", var v] => ("", v),
            ["apis", var g, var v] => (g, v),
            _ => (null, null),
        };
        var resources = Registry.Resources.Where(r => r.Group == group && r.Version == version).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var r in resources)
        {
            var prefix = r.Group.Length == 0 ? $"/api/{r.Version}" : $"/apis/{r.Group}/{r.Version}";
            var path = r.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{r.Plural}/{{name}}" : $"{prefix}/{r.Plural}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{r.Kind}",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = r.Group, ["version"] = r.Version, ["kind"] = r.Kind },
                    ["x-kubernetes-action"] = "patch",
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private JsonObject? DiscoveryResourceList(string path)
    {
        var segments = path.Trim('/').Split('/');
        return segments switch
        {
            ["api", var v] => Registry.ResourceList("", v),
            ["apis", var g, var v] => Registry.ResourceList(g, v),
            _ => null,
        };
    }

    private async Task<int> ServeAsync(HttpContext context, Route route, string body)
    {
        var resource = route.Resource!;
        var query = context.Request.Query;
        var dryRun = query.ContainsKey("dryRun");
        switch (route.Verb)
        {
            case "get" when route.Subresource == "log":
                return await ServeLogAsync(context, route).ConfigureAwait(false);
            case "get" when route.Subresource == "scale":
                await WriteJsonAsync(context, 200, ToScale(Store.Get(resource, route.Namespace, route.Name!) ?? throw NotFound(route))).ConfigureAwait(false);
                return 200;
            case "get":
                await WriteJsonAsync(context, 200, Store.Get(resource, route.Namespace, route.Name!) ?? throw NotFound(route)).ConfigureAwait(false);
                return 200;
            case "list":
            {
                var (items, rv) = Store.List(resource, route.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(query["fieldSelector"]));
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = resource.Kind + "List",
                    ["apiVersion"] = resource.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = new JsonArray([.. items]),
                }).ConfigureAwait(false);
                return 200;
            }

            case "watch":
                await ServeWatchAsync(context, route).ConfigureAwait(false);
                return 200;
            case "create":
            {
                var obj = ParseObject(body);
                if (dryRun)
                {
                    await WriteJsonAsync(context, 201, obj).ConfigureAwait(false);
                    return 201;
                }

                var created = Store.Create(resource, route.Namespace, obj);
                await WriteJsonAsync(context, 201, created).ConfigureAwait(false);
                return 201;
            }

            case "update" when route.Subresource == "scale":
            {
                var scale = ParseObject(body);
                var replicas = scale["spec"]?["replicas"]?.GetValue<int>() ?? 0;
                var updated = Store.Mutate(resource, route.Namespace, route.Name!, o =>
                {
                    o["spec"]!["replicas"] = replicas;
                    return o;
                });
                await WriteJsonAsync(context, 200, ToScale(updated)).ConfigureAwait(false);
                return 200;
            }

            case "update":
            {
                var obj = ParseObject(body);
                var updated = dryRun ? obj : Store.Replace(resource, route.Namespace, route.Name!, obj, statusOnly: route.Subresource == "status");
                await WriteJsonAsync(context, 200, updated).ConfigureAwait(false);
                return 200;
            }

            case "patch":
                return await ServePatchAsync(context, route, body, dryRun).ConfigureAwait(false);
            case "delete":
            {
                var (preconditionVersion, preconditionUid) = DeletePreconditions(body);
                var deleted = dryRun
                    ? Store.Get(resource, route.Namespace, route.Name!) ?? throw NotFound(route)
                    : Store.Delete(resource, route.Namespace, route.Name!, preconditionVersion, preconditionUid);
                await WriteJsonAsync(context, 200, deleted).ConfigureAwait(false);
                return 200;
            }

            case "deletecollection":
            {
                var (items, _) = Store.List(resource, route.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(query["fieldSelector"]));
                foreach (var item in items)
                {
                    try
                    {
                        Store.Delete(resource, item["metadata"]?["namespace"]?.GetValue<string>(), item["metadata"]!["name"]!.GetValue<string>());
                    }
                    catch (EmulatorApiException ex) when (ex.Code == 404)
                    {
                        // Already removed by garbage collection.
                    }
                }

                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = resource.Kind + "List",
                    ["apiVersion"] = resource.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = new JsonArray([.. items]),
                }).ConfigureAwait(false);
                return 200;
            }

            default:
                throw new EmulatorApiException(405, "MethodNotAllowed", $"{route.Verb} not supported");
        }
    }

    private async Task<int> ServePatchAsync(HttpContext context, Route route, string body, bool dryRun)
    {
        var resource = route.Resource!;
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        Func<JsonNode, JsonNode?> apply = contentType switch
        {
            "application/json-patch+json" => doc => JsonPatching.ApplyJsonPatch(doc, JsonNode.Parse(body) as JsonArray ?? throw new InvalidOperationException("a JSON patch must be an array")),
            "application/merge-patch+json" => doc => JsonPatching.ApplyMergePatch(doc, JsonNode.Parse(body)),
            "application/strategic-merge-patch+json" => doc => JsonPatching.ApplyStrategicMergePatch(doc, JsonNode.Parse(body)),
            "application/apply-patch+yaml" or "application/apply-patch+cbor" => doc => JsonPatching.ApplyStrategicMergePatch(doc, ParseApplyBody(body)),
            _ => throw new EmulatorApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got '{contentType}')"),
        };
        var isApply = contentType.StartsWith("application/apply-patch", StringComparison.Ordinal);
        if (route.Subresource == "scale")
        {
            var patchedScale = Store.Mutate(resource, route.Namespace, route.Name!, o =>
            {
                var scale = apply(ToScale(o))!;
                o["spec"]!["replicas"] = scale["spec"]?["replicas"]?.GetValue<int>() ?? 0;
                return o;
            }, dryRun: dryRun);
            await WriteJsonAsync(context, 200, ToScale(patchedScale)).ConfigureAwait(false);
            return 200;
        }

        var existed = Store.Get(resource, route.Namespace, route.Name!) is not null;
        var patched = Store.Mutate(
            resource,
            route.Namespace,
            route.Name!,
            o => apply(o) as JsonObject ?? throw new InvalidOperationException("the patched document is not an object"),
            statusOnly: route.Subresource == "status",
            createIfMissing: isApply,
            dryRun: dryRun);
        var code = isApply && !existed ? 201 : 200;
        await WriteJsonAsync(context, code, patched).ConfigureAwait(false);
        return code;
    }

    private static JsonNode? ParseApplyBody(string body)
    {
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            return JsonNode.Parse(body);
        }

        return SimpleYaml.Parse(body);
    }

    /// <summary>Prefix of a logged body that arrived as protobuf (the rest is its base64).</summary>
    public const string ProtobufMarker = "protobuf:";

    /// <summary>The <c>preconditions</c> of a DeleteOptions body (resourceVersion, uid), when given.</summary>
    private static (string? ResourceVersion, string? Uid) DeletePreconditions(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            var preconditions = JsonNode.Parse(body)?["preconditions"];
            return (preconditions?["resourceVersion"]?.GetValue<string>(), preconditions?["uid"]?.GetValue<string>());
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static JsonObject ParseObject(string body)
    {
        if (body.StartsWith(ProtobufMarker, StringComparison.Ordinal))
        {
            return KubeProtobuf.Decode(Convert.FromBase64String(body[ProtobufMarker.Length..]));
        }

        return JsonNode.Parse(body) as JsonObject ?? throw new InvalidOperationException("the request body must be a JSON object");
    }

    private static EmulatorApiException NotFound(Route route) =>
        new(404, "NotFound", $"{ResourceStore.QualifiedPlural(route.Resource!)} \"{route.Name}\" not found");

    private static JsonObject ToScale(JsonObject obj) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "autoscaling/v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = obj["metadata"]!["name"]?.DeepClone(),
            ["namespace"] = obj["metadata"]!["namespace"]?.DeepClone(),
            ["uid"] = obj["metadata"]!["uid"]?.DeepClone(),
            ["resourceVersion"] = obj["metadata"]!["resourceVersion"]?.DeepClone(),
            ["creationTimestamp"] = obj["metadata"]!["creationTimestamp"]?.DeepClone(),
        },
        ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 1 },
        ["status"] = new JsonObject { ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0 },
    };

    private async Task<int> ServeLogAsync(HttpContext context, Route route)
    {
        var pod = Store.Get(route.Resource!, route.Namespace, route.Name!) ?? throw NotFound(route);
        string[] lines;
        lock (_podLogs)
        {
            if (!_podLogs.TryGetValue($"{route.Namespace}/{route.Name}", out lines!))
            {
                var image = pod["spec"]?["containers"]?[0]?["image"]?.GetValue<string>() ?? "unknown";
                lines = [.. Enumerable.Range(1, 20).Select(i => $"{route.Name} ({image}) log line {i}")];
            }
        }

        if (int.TryParse(context.Request.Query["tailLines"], NumberStyles.None, CultureInfo.InvariantCulture, out var tail) && tail < lines.Length)
        {
            lines = lines[^tail..];
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(string.Concat(lines.Select(l => l + "\n")), context.RequestAborted).ConfigureAwait(false);
        return 200;
    }

    private async Task ServeWatchAsync(HttpContext context, Route route)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        long? since = long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) && rv > 0 ? rv : null;
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        cts.CancelAfter(timeout);
        Interlocked.Increment(ref _watchesStarted);
        var name = route.Name;

        // Streaming list (sendInitialEvents=true, used by client-go's WatchList, e.g. helm 4's --wait=watcher): the
        // current objects as ADDED events, then a BOOKMARK marking the end of the initial events, then changes.
        var initial = string.Equals(query["sendInitialEvents"], "true", StringComparison.Ordinal)
            ? InitialEvents.Snapshot(Store, route.Resource!, route.Namespace, name, labels, fields)
            : null;
        if (initial is not null)
        {
            since = initial.ResourceVersion;
        }

        var reader = Store.Watch(
            route.Resource!,
            route.Namespace,
            e => (name is null || e.Object["metadata"]?["name"]?.GetValue<string>() == name) && labels.Matches(LabelSelector.LabelsOf(e.Object)) && fields.Matches(e.Object),
            since,
            cts.Token);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        try
        {
            await context.Response.StartAsync(cts.Token).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
            if (initial is not null)
            {
                await context.Response.WriteAsync(initial.ToWatchLines(route.Resource!), cts.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
            }

            await foreach (var evt in reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                var line = new JsonObject { ["type"] = evt.Type, ["object"] = evt.Object.DeepClone() }.ToJsonString() + "\n";
                await context.Response.WriteAsync(line, cts.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Watch ended (timeout, client went away, or shutdown).
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode node)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(node.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
