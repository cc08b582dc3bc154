using System.Diagnostics;
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

    [Fact]
    public async Task Scale_RecordsAClientSpanPerApiCall_ErrorWhenForbidden()
    {
        _emulator.SeedDeployment("shop", "c3", 1, "c3:1");
        _emulator.Forbid("patch", "deployments/scale");
        using var spans = new SpanCollector();

        await RunAsync("kubernetes.scale", "c3", settings: [("replicas", "0")]);

        var span = Assert.Single(spans.Spans("rollbackkit.kubernetes.request"), s => (string?)s.GetTagItem("k8s.resource") == "deployments/scale");
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("patch", span.GetTagItem("k8s.verb"));
        Assert.Equal("apps", span.GetTagItem("k8s.group"));
        Assert.Equal("shop", span.GetTagItem("k8s.namespace.name"));
        Assert.Equal("c3", span.GetTagItem("k8s.object.name"));
        Assert.Equal(403, span.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }
}
