using Microsoft.Extensions.Time.Testing;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class RestartStepTests : IAsyncLifetime
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
}
