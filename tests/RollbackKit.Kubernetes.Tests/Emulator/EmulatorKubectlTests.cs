using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Emulator;

/// <summary>A fresh emulator per test and a kubeconfig for the real kubectl pointing at it (namespace <c>shop</c>).</summary>
public abstract class KubectlAgainstEmulator : IAsyncLifetime
{
    private protected readonly TempDir _dir = new();
    private protected KubernetesApiEmulator _emulator = null!;
    private protected string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _kubeconfig = _emulator.WriteKubeconfig(_dir.Path, "shop");
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }
}

public sealed class EmulatorKubectlTests : KubectlAgainstEmulator
{
    [Fact]
    public async Task KubectlRolloutHistory_SeededDeployment_ListsRevisions()
    {
        _emulator.SeedDeployment("shop", "web", 2, "web:1", "web:2", "web:3");
        var (code, stdout, stderr) = await Kubectl.RunAsync(_kubeconfig, "rollout", "history", "deployment/web");
        Assert.True(code == 0, stderr);
        Assert.Contains("deploy web:1", stdout);
        Assert.Contains("deploy web:3", stdout);
    }

    [Fact]
    public async Task KubectlCreateSecretAndConfigMap_ProtobufBodies_AreDecoded()
    {
        var (code, _, stderr) = await Kubectl.RunAsync(_kubeconfig, "create", "configmap", "lit", "--from-literal=k=v", "--from-literal=x=y");
        Assert.True(code == 0, stderr);
        Assert.Equal("{\"k\":\"v\",\"x\":\"y\"}", _emulator.Get("v1", "configmaps", "shop", "lit")!["data"]!.ToJsonString());
        (code, _, stderr) = await Kubectl.RunAsync(_kubeconfig, "create", "secret", "generic", "token", "--from-literal=t=s3cr3t");
        Assert.True(code == 0, stderr);
        var secret = _emulator.Get("v1", "secrets", "shop", "token")!;
        Assert.Equal("s3cr3t", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["t"]!.GetValue<string>())));
        Assert.Equal("Opaque", secret["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task KubectlGetAndCreate_ConfigMap_RoundTrips()
    {
        var file = Path.Combine(_dir.Path, "cm.json");
        await File.WriteAllTextAsync(file, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"a":"1"}}""");
        var (code, _, stderr) = await Kubectl.RunAsync(_kubeconfig, "create", "-f", file);
        Assert.True(code == 0, stderr);
        (code, var stdout, stderr) = await Kubectl.RunAsync(_kubeconfig, "get", "configmap", "settings", "-o", "jsonpath={.data.a}");
        Assert.True(code == 0, stderr);
        Assert.Equal("1", stdout);
    }
}

public sealed class EmulatorKubectlRolloutTests : KubectlAgainstEmulator
{
    [Fact]
    public async Task KubectlRolloutUndo_ThreeRevisions_RunsPreviousImageAsRevisionFour()
    {
        _emulator.SeedDeployment("shop", "web", 2, "web:1", "web:2", "web:3");
        var (code, stdout, stderr) = await Kubectl.RunAsync(_kubeconfig, "rollout", "undo", "deployment/web");
        Assert.True(code == 0, stderr);
        Assert.Contains("rolled back", stdout);
        var deployment = _emulator.Get("apps/v1", "deployments", "shop", "web")!;
        Assert.Equal("web:2", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("4", deployment["metadata"]!["annotations"]![DeploymentController.RevisionAnnotation]!.GetValue<string>());
        Assert.Equal(3, _emulator.List("apps/v1", "replicasets", "shop", "app=web").Count);

        _emulator.ClearRequests();
        (code, stdout, stderr) = await Kubectl.RunAsync(_kubeconfig, "rollout", "status", "deployment/web", "--timeout=20s");
        Assert.True(code == 0, stderr + string.Join("\n", _emulator.Requests.Select(r => $"{r.Method} {r.Path}{r.Query} {r.StatusCode}")) + _emulator.Get("apps/v1", "deployments", "shop", "web")!.ToJsonString());
        Assert.Contains("successfully rolled out", stdout);
    }

    [Fact]
    public async Task KubectlRolloutStatus_RolloutCompletesLater_WaitsForWatchEvent()
    {
        _emulator.SeedDeployment("shop", "api", 3, "api:1", "api:2");
        _emulator.Deployments.ReadsToComplete = 1000;
        _emulator.SetImage("shop", "api", "api:3");
        var status = Kubectl.RunAsync(_kubeconfig, "rollout", "status", "deployment/api", "--timeout=30s");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_emulator.WatchesStarted == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(status.IsCompleted);
        _emulator.Deployments.Complete("shop", "api");
        var (code, stdout, stderr) = await status;
        Assert.True(code == 0, stderr);
        Assert.Contains("successfully rolled out", stdout);
    }
}
