using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class PauseStepTests : IAsyncLifetime
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
    public async Task PauseAndResume_TogglesSpecPaused()
    {
        _emulator.SeedDeployment("shop", "p", 1, "p:1");
        Assert.True((await RunAsync("kubernetes.pause", "p")).Succeeded);
        Assert.True(_emulator.Get("apps/v1", "deployments", "shop", "p")!["spec"]!["paused"]!.GetValue<bool>());
        Assert.True((await RunAsync("kubernetes.resume", "p")).Succeeded);
        Assert.Null(_emulator.Get("apps/v1", "deployments", "shop", "p")!["spec"]!["paused"]);
    }
}
