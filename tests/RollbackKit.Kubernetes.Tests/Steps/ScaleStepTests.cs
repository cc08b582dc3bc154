using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class ScaleStepTests : IAsyncLifetime
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
}
