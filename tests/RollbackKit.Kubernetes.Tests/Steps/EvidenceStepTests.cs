using System.Text.Json.Nodes;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class EvidenceStepTests : IAsyncLifetime
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
