using BenchmarkDotNet.Attributes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Kubernetes.Steps;
using RollbackKit.Playbooks;

namespace RollbackKit.Benchmarks.Kubernetes;

/// <summary>
/// The kubernetes.undo step against the in-process API emulator over loopback, for a deployment with 10 or 100
/// ReplicaSets. Baseline: the same two reads (GET deployment, LIST replicasets) with a bare HttpClient, i.e. server and
/// loopback time without our code. Repeated undos toggle between the two newest revisions, so the history size stays fixed.
/// </summary>
[MemoryDiagnoser]
public class UndoBenchmarks
{
    private sealed class NoEvidence : IEvidenceSink
    {
        public void Add(string name, string content)
        {
        }
    }

    private KubernetesApiEmulator _emulator = null!;
    private KubernetesApi _api = null!;
    private HttpClient _http = null!;
    private IPlaybookStep _undo = null!;
    private PlaybookStepContext _context = null!;
    private V1Deployment _deployment = null!;
    private List<V1ReplicaSet> _replicaSets = null!;
    private string _rsPath = "";
    private string _deploymentPath = "";

    /// <summary>ReplicaSets in the deployment's history.</summary>
    [Params(10, 100)]
    public int History { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _emulator = KubernetesApiEmulator.StartAsync().GetAwaiter().GetResult();
        _emulator.RecordRequests = false;
        var images = Enumerable.Range(1, History).Select(i => $"registry.local/web:{i}").ToArray();
        _emulator.SeedDeployment("bench", "web", 1, images);
        _api = new KubernetesApi(new KubernetesOptions { Server = _emulator.BaseAddress }, TimeProvider.System, NullLogger.Instance, null);
        _http = new HttpClient { BaseAddress = _emulator.BaseAddress };
        // markRollback=false: every invocation really rolls back (toggling between the two newest revisions).
        var definition = new PlaybookStepDefinition { Type = "kubernetes.undo" };
        definition.Settings["markRollback"] = "false";
        _undo = new UndoStep(definition, _api);
        _context = new PlaybookStepContext(
            "bench",
            new RollbackRequest
            {
                Target = new RollbackTarget("bench/web", new Dictionary<string, string> { ["namespace"] = "bench", ["name"] = "web" }),
                TriggerType = RollbackTriggerType.Manual,
                Reason = "benchmark",
            },
            new NoEvidence(),
            new ServiceCollection().BuildServiceProvider(),
            TimeProvider.System);
        _deploymentPath = "/apis/apps/v1/namespaces/bench/deployments/web";
        _rsPath = "/apis/apps/v1/namespaces/bench/replicasets?labelSelector=app%3Dweb";
        _deployment = KubernetesJson.Deserialize<V1Deployment>(_emulator.Get("apps/v1", "deployments", "bench", "web")!.ToJsonString());
        _replicaSets = [.. _emulator.List("apps/v1", "replicasets", "bench", "app=web").Select(rs => KubernetesJson.Deserialize<V1ReplicaSet>(rs.ToJsonString()))];
        if (_replicaSets.Count != History)
        {
            throw new InvalidOperationException($"expected {History} replica sets, found {_replicaSets.Count}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _api.Dispose();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Server + loopback only: GET the deployment and LIST its ReplicaSets with a bare HttpClient (bytes read, nothing parsed).</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> RawReads()
    {
        var a = await _http.GetByteArrayAsync(_deploymentPath);
        var b = await _http.GetByteArrayAsync(_rsPath);
        return a.Length + b.Length;
    }

    /// <summary>The same two reads through the Kubernetes client with our timeout/retry wrapper (typed models).</summary>
    [Benchmark]
    public async Task<int> ClientReads()
    {
        var d = await _api.CallAsync(new ApiCall("get", "deployments", "apps", "bench", "web"), (k, ct) => k.AppsV1.ReadNamespacedDeploymentAsync("web", "bench", cancellationToken: ct), CancellationToken.None);
        var list = await _api.CallAsync(new ApiCall("list", "replicasets", "apps", "bench"), (k, ct) => k.AppsV1.ListNamespacedReplicaSetAsync("bench", labelSelector: "app=web", cancellationToken: ct), CancellationToken.None);
        return list.Items.Count + (d.Spec.Replicas ?? 0);
    }

    /// <summary>The whole undo step: GET, LIST, plan, JSON Patch (the server also runs its simulated controller on the PATCH).</summary>
    [Benchmark]
    public async Task<bool> UndoStep()
    {
        var result = await _undo.ExecuteAsync(_context, CancellationToken.None);
        return result.Succeeded ? true : throw new InvalidOperationException(result.Message);
    }

    /// <summary>Only our planning code (revision selection, template comparison, patch building) on already-read objects.</summary>
    [Benchmark]
    public int PlanOnly()
    {
        var plan = UndoPlanner.Plan(_deployment, UndoPlanner.Controlled(_deployment, _replicaSets), 0);
        return plan.Patch?.Length ?? -1;
    }
}
