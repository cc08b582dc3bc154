using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class TrafficStepTests : IAsyncLifetime
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
}
