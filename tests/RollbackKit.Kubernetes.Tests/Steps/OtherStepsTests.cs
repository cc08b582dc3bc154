using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class OtherStepsTests : IAsyncLifetime
{
    private KubernetesApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await KubernetesApiEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private async Task<RollbackKit.Playbooks.StepResult> RunAsync(string type, string name, EvidenceCollector? evidence = null, TimeProvider? time = null, params (string, string)[] settings)
    {
        using var api = TestSupport.Api(_emulator);
        return await TestSupport.Step(api, type, settings).ExecuteAsync(TestSupport.Context("shop", name, evidence, time), CancellationToken.None);
    }

    [Fact]
    public async Task Scale_Replicas_SetsDeploymentReplicasThroughScaleSubresource()
    {
        _emulator.SeedDeployment("shop", "canary", 3, "canary:1");
        var result = await RunAsync("kubernetes.scale", "canary", settings: [("replicas", "0")]);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(0, _emulator.Get("apps/v1", "deployments", "shop", "canary")!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains(_emulator.Requests, r => r.Verb == "patch" && r.Resource == "deployments/scale");
        Assert.Empty(_emulator.List("v1", "pods", "shop", "app=canary"));
    }

    [Fact]
    public async Task Scale_ForbiddenOnScale_NamesSubresource()
    {
        _emulator.SeedDeployment("shop", "c2", 1, "c2:1");
        _emulator.Forbid("patch", "deployments/scale");
        var result = await RunAsync("kubernetes.scale", "c2", settings: [("replicas", "0")]);
        Assert.StartsWith("forbidden: needs 'patch' on 'deployments/scale' (apps) in namespace 'shop'", result.Message);
    }

    [Fact]
    public async Task PauseAndResume_TogglesSpecPaused()
    {
        _emulator.SeedDeployment("shop", "p", 1, "p:1");
        Assert.True((await RunAsync("kubernetes.pause", "p")).Succeeded);
        Assert.True(_emulator.Get("apps/v1", "deployments", "shop", "p")!["spec"]!["paused"]!.GetValue<bool>());
        Assert.True((await RunAsync("kubernetes.resume", "p")).Succeeded);
        Assert.Null(_emulator.Get("apps/v1", "deployments", "shop", "p")!["spec"]!["paused"]);
    }

    [Fact]
    public async Task Restart_SetsRestartedAtFromTheClock_AndRollsANewReplicaSet()
    {
        _emulator.SeedDeployment("shop", "r", 1, "r:1");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var result = await RunAsync("kubernetes.restart", "r", time: time);
        Assert.True(result.Succeeded, result.Message);
        var d = _emulator.Get("apps/v1", "deployments", "shop", "r")!;
        Assert.Equal("2026-01-02T03:04:05+00:00", d["spec"]!["template"]!["metadata"]!["annotations"]!["kubectl.kubernetes.io/restartedAt"]!.GetValue<string>());
        Assert.Equal(2, _emulator.List("apps/v1", "replicasets", "shop", "app=r").Count);
    }

    [Fact]
    public async Task Traffic_VirtualService_RoutesAllToStable()
    {
        _emulator.Create("networking.istio.io/v1beta1", "virtualservices", "shop", """
            {"metadata":{"name":"checkout"},"spec":{"hosts":["checkout"],"http":[
              {"name":"primary","route":[{"destination":{"host":"checkout","subset":"stable"},"weight":80},{"destination":{"host":"checkout","subset":"canary"},"weight":20}]},
              {"name":"mirror","route":[{"destination":{"host":"checkout","subset":"canary"},"weight":50},{"destination":{"host":"checkout","subset":"stable"},"weight":50}]}]}}
            """);
        _emulator.InjectFaults(1, 409, verb: "update", resource: "virtualservices");
        var result = await RunAsync("kubernetes.traffic", "checkout");
        Assert.True(result.Succeeded, result.Message);
        var vs = _emulator.Get("networking.istio.io/v1beta1", "virtualservices", "shop", "checkout")!;
        var weights = vs["spec"]!["http"]!.AsArray().SelectMany(h => h!["route"]!.AsArray())
            .Select(r => $"{r!["destination"]!["subset"]}={r["weight"]}").ToList();
        Assert.Equal(["stable=100", "canary=0", "canary=0", "stable=100"], weights);
        Assert.Equal(2, _emulator.Requests.Count(r => r.Verb == "update"));
    }

    [Fact]
    public async Task Traffic_NoStableDestination_FailsNamingTheRoute()
    {
        _emulator.Create("networking.istio.io/v1beta1", "virtualservices", "shop", """
            {"metadata":{"name":"odd"},"spec":{"http":[{"route":[{"destination":{"host":"odd","subset":"blue"},"weight":100}]}]}}
            """);
        var result = await RunAsync("kubernetes.traffic", "odd");
        Assert.False(result.Succeeded);
        Assert.Equal("virtualservice shop/odd http[0] has no destination with subset 'stable'", result.Message);
    }

    [Fact]
    public async Task ConfigMapRevert_PreviousCopy_RestoresData()
    {
        _emulator.Create("v1", "configmaps", "shop", """{"metadata":{"name":"settings"},"data":{"flag":"on","new":"x"}}""");
        _emulator.Create("v1", "configmaps", "shop", """{"metadata":{"name":"settings-previous"},"data":{"flag":"off"}}""");
        var result = await RunAsync("kubernetes.configmap.revert", "x", settings: [("configMap", "settings")]);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("""{"flag":"off"}""", _emulator.Get("v1", "configmaps", "shop", "settings")!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task ConfigMapRevert_MissingSource_FailsNotFound()
    {
        _emulator.Create("v1", "configmaps", "shop", """{"metadata":{"name":"lonely"},"data":{"a":"1"}}""");
        var result = await RunAsync("kubernetes.configmap.revert", "lonely");
        Assert.Equal("configmaps \"lonely-previous\" not found in namespace 'shop'", result.Message);
    }

    [Fact]
    public async Task Evidence_Deployment_CollectsDescriptionHistoryEventsAndLogs()
    {
        _emulator.SeedDeployment("shop", "web", 2, "web:1", "web:2");
        _emulator.Store.Mutate(_emulator.Resource("apps/v1", "deployments"), "shop", "web", d =>
        {
            d["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] = JsonNode.Parse("""[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"MODE","value":"fast"}]""");
            return d;
        });
        var pods = _emulator.List("v1", "pods", "shop", "app=web");
        _emulator.SetPodLog("shop", pods[0]["metadata"]!["name"]!.GetValue<string>(), "boot", "error: db timeout", "retrying");
        var evidence = new EvidenceCollector();
        var result = await RunAsync("kubernetes.evidence", "web", evidence, settings: [("logLines", "2")]);
        Assert.True(result.Succeeded, result.Message);
        var description = JsonNode.Parse(evidence.Items["kubernetes/shop/web/deployment.json"])!;
        Assert.Equal("True", description["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Available")!["status"]!.GetValue<string>());
        Assert.DoesNotContain("hunter2", evidence.Items["kubernetes/shop/web/deployment.json"]);
        Assert.Contains("fast", evidence.Items["kubernetes/shop/web/deployment.json"]);
        var history = JsonNode.Parse(evidence.Items["kubernetes/shop/web/replicasets.json"])!.AsArray();
        Assert.Equal([3L, 2L, 1L], history.Select(h => h!["revision"]!.GetValue<long>()));
        Assert.Equal("web:2", history[1]!["images"]![0]!.GetValue<string>());
        Assert.Contains("ScalingReplicaSet", evidence.Items["kubernetes/shop/web/events.txt"]);
        Assert.Contains(_emulator.Requests, r => r.Resource == "events" && r.Query.Contains("involvedObject.name%3Dweb", StringComparison.Ordinal));
        var logKey = $"kubernetes/shop/web/logs/{pods[0]["metadata"]!["name"]}.log";
        Assert.Equal("error: db timeout\nretrying\n", evidence.Items[logKey]);
    }

    [Fact]
    public async Task Evidence_EventsForbidden_StillSucceedsAndRecordsWhy()
    {
        _emulator.SeedDeployment("shop", "e", 1, "e:1");
        _emulator.Forbid("list", "events");
        var evidence = new EvidenceCollector();
        var result = await RunAsync("kubernetes.evidence", "e", evidence);
        Assert.True(result.Succeeded, result.Message);
        Assert.StartsWith("unavailable: forbidden: needs 'list' on 'events' (core) in namespace 'shop'", evidence.Items["kubernetes/shop/e/events.txt"]);
    }
}
