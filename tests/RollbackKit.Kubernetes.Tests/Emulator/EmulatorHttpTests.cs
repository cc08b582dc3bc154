using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Emulator;

public sealed class EmulatorHttpTests : IAsyncLifetime
{
    private KubernetesApiEmulator _emulator = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _http = new HttpClient { BaseAddress = _emulator.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<(HttpStatusCode Code, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string Secret(string name, string owner, string status) =>
        $$$"""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"{{{name}}}","labels":{"owner":"{{{owner}}}","status":"{{{status}}}","name":"app"}},"type":"helm.sh/release.v1","data":{"release":"SDRzSQ=="}}""";

    [Fact]
    public async Task Secrets_CreateListUpdateDelete_BehaveLikeTheApiServer()
    {
        const string path = "/api/v1/namespaces/apps/secrets";
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, path, Secret("sh.helm.release.v1.app.v1", "helm", "superseded"))).Code);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, path, Secret("sh.helm.release.v1.app.v2", "helm", "deployed"))).Code);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, path, Secret("other", "someone", "x"))).Code);

        var duplicate = await SendAsync(HttpMethod.Post, path, Secret("other", "someone", "x"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Code);
        Assert.Equal("AlreadyExists", duplicate.Body!["reason"]!.GetValue<string>());
        Assert.Equal("Status", duplicate.Body!["kind"]!.GetValue<string>());

        var list = await SendAsync(HttpMethod.Get, path + "?labelSelector=" + Uri.EscapeDataString("owner=helm,status in (deployed,failed)"));
        Assert.Equal(["sh.helm.release.v1.app.v2"], list.Body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        list = await SendAsync(HttpMethod.Get, path + "?labelSelector=" + Uri.EscapeDataString("owner!=helm"));
        Assert.Single(list.Body!["items"]!.AsArray());
        list = await SendAsync(HttpMethod.Get, path + "?labelSelector=" + Uri.EscapeDataString("status notin (deployed),owner"));
        Assert.Equal(2, list.Body!["items"]!.AsArray().Count);
        list = await SendAsync(HttpMethod.Get, path + "?labelSelector=" + Uri.EscapeDataString("!owner"));
        Assert.Empty(list.Body!["items"]!.AsArray());

        var current = (await SendAsync(HttpMethod.Get, path + "/sh.helm.release.v1.app.v2")).Body!.AsObject();
        var stale = (JsonObject)current.DeepClone();
        current["metadata"]!["labels"]!["status"] = "superseded";
        var put = await SendAsync(HttpMethod.Put, path + "/sh.helm.release.v1.app.v2", current.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, put.Code);
        Assert.NotEqual(stale["metadata"]!["resourceVersion"]!.GetValue<string>(), put.Body!["metadata"]!["resourceVersion"]!.GetValue<string>());
        var conflict = await SendAsync(HttpMethod.Put, path + "/sh.helm.release.v1.app.v2", stale.ToJsonString());
        Assert.Equal(HttpStatusCode.Conflict, conflict.Code);
        Assert.Equal("Conflict", conflict.Body!["reason"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, path + "?labelSelector=owner%3Dhelm")).Code);
        list = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(["other"], list.Body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        var missing = await SendAsync(HttpMethod.Get, path + "/sh.helm.release.v1.app.v1");
        Assert.Equal(HttpStatusCode.NotFound, missing.Code);
        Assert.Equal("NotFound", missing.Body!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_AllPatchTypes_ApplyToConfigMap()
    {
        const string path = "/api/v1/namespaces/apps/configmaps";
        await SendAsync(HttpMethod.Post, path, """{"metadata":{"name":"cm"},"data":{"a":"1","b":"2"}}""");
        var r = await SendAsync(HttpMethod.Patch, path + "/cm", """[{"op":"replace","path":"/data/a","value":"10"},{"op":"remove","path":"/data/b"}]""", "application/json-patch+json");
        Assert.Equal("""{"a":"10"}""", r.Body!["data"]!.ToJsonString());
        r = await SendAsync(HttpMethod.Patch, path + "/cm", """{"data":{"c":"3","a":null}}""", "application/merge-patch+json");
        Assert.Equal("""{"c":"3"}""", r.Body!["data"]!.ToJsonString());
        r = await SendAsync(HttpMethod.Patch, path + "/cm", """{"data":{"d":"4"}}""", "application/strategic-merge-patch+json");
        Assert.Equal("4", r.Body!["data"]!["d"]!.GetValue<string>());
        r = await SendAsync(HttpMethod.Patch, path + "/applied?fieldManager=helm", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  labels:\n    app: x\ndata:\n  key: \"value\"\n  n: \"1\"\n", "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.Created, r.Code);
        Assert.Equal("value", r.Body!["data"]!["key"]!.GetValue<string>());
        r = await SendAsync(HttpMethod.Patch, path + "/applied?fieldManager=helm", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"key":"v2"}}""", "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, r.Code);
        Assert.Equal("v2", r.Body!["data"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task StrategicMergePatch_Containers_MergesByName()
    {
        _emulator.SeedDeployment("apps", "web", 1, "web:1");
        var r = await SendAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/apps/deployments/web",
            """{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"web:2"},{"name":"sidecar","image":"proxy:1"}]}}}}""",
            "application/strategic-merge-patch+json");
        var containers = r.Body!["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(2, containers.Count);
        Assert.Equal("web:2", containers[0]!["image"]!.GetValue<string>());
        Assert.Equal(8080, containers[0]!["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal(2, r.Body!["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Discovery_CoreAndGroups_ListResources()
    {
        var api = await SendAsync(HttpMethod.Get, "/api");
        Assert.Equal("v1", api.Body!["versions"]![0]!.GetValue<string>());
        var core = await SendAsync(HttpMethod.Get, "/api/v1");
        var names = core.Body!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("secrets", names);
        Assert.Contains("pods/log", names);
        var groups = await SendAsync(HttpMethod.Get, "/apis");
        var groupNames = groups.Body!["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["apps", "coordination.k8s.io", "networking.istio.io"], groupNames);
        var apps = await SendAsync(HttpMethod.Get, "/apis/apps/v1");
        Assert.Contains("deployments/scale", apps.Body!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/openapi/v2")).Code);
        Assert.Equal("32", (await SendAsync(HttpMethod.Get, "/version")).Body!["minor"]!.GetValue<string>());
    }

    [Fact]
    public async Task Faults_ForbidAndInject_AnswerWithStatusAndAreLogged()
    {
        _emulator.Forbid("list", "secrets");
        var forbidden = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/a/secrets");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Code);
        Assert.Contains("cannot list resource \"secrets\"", forbidden.Body!["message"]!.GetValue<string>());
        _emulator.Allow("list", "secrets");
        _emulator.InjectFaults(2, 503, verb: "list");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(HttpMethod.Get, "/api/v1/namespaces/a/secrets")).Code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(HttpMethod.Get, "/api/v1/namespaces/a/secrets")).Code);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/v1/namespaces/a/secrets")).Code);
        Assert.Equal([403, 503, 503, 200], _emulator.Requests.Where(r => r.Resource == "secrets").Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Events_FieldSelectorInvolvedObject_FiltersByName()
    {
        _emulator.SeedDeployment("apps", "web", 1, "web:1", "web:2");
        _emulator.SeedDeployment("apps", "db", 1, "db:1");
        var events = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/apps/events?fieldSelector=" + Uri.EscapeDataString("involvedObject.name=web"));
        var items = events.Body!["items"]!.AsArray();
        Assert.NotEmpty(items);
        Assert.All(items, e => Assert.Equal("web", e!["involvedObject"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DeploymentController_TemplateBackToOldRevision_ReusesReplicaSetWithNewRevision()
    {
        _emulator.SeedDeployment("apps", "web", 2, "web:1", "web:2");
        var first = _emulator.List("apps/v1", "replicasets", "apps").Single(rs => rs["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>() == "web:1");
        _emulator.SetImage("apps", "web", "web:1");
        var rs = _emulator.List("apps/v1", "replicasets", "apps");
        Assert.Equal(2, rs.Count);
        var reused = rs.Single(r => r["metadata"]!["name"]!.GetValue<string>() == first["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("3", reused["metadata"]!["annotations"]![DeploymentController.RevisionAnnotation]!.GetValue<string>());
        Assert.Equal(2, reused["spec"]!["replicas"]!.GetValue<int>());
        var pods = _emulator.List("v1", "pods", "apps", "app=web");
        Assert.Equal(2, pods.Count);
        var log = await _http.GetStringAsync($"/api/v1/namespaces/apps/pods/{pods[0]["metadata"]!["name"]}/log?tailLines=3");
        Assert.Equal(3, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var d = _emulator.Get("apps/v1", "deployments", "apps", "web")!;
        Assert.Equal(d["metadata"]!["generation"]!.GetValue<long>(), d["status"]!["observedGeneration"]!.GetValue<long>());
    }
}
