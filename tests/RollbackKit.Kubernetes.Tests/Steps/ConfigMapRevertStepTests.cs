using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class ConfigMapRevertStepTests : IAsyncLifetime
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
}
