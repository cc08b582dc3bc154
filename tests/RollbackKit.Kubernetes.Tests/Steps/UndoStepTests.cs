using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class UndoStepTests : IAsyncLifetime
{
    private static readonly HashSet<string> s_skipped =
    [
        "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision", "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to",
    ];

    private readonly TempDir _dir = new();
    private KubernetesApiEmulator _emulator = null!;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _kubeconfig = _emulator.WriteKubeconfig(_dir.Path, "default");
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private void SeedBoth(string name, Action<string>? extra, params string[] images)
    {
        foreach (var ns in new[] { "kubectl", "ours" })
        {
            _emulator.SeedDeployment(ns, name, 2, images);
            extra?.Invoke(ns);
        }
    }

    private async Task<(int Code, string Out, string Err)> KubectlUndoAsync(string name, params string[] extra) =>
        await Kubectl.RunAsync(_kubeconfig, ["-n", "kubectl", "rollout", "undo", $"deployment/{name}", .. extra]);

    private async Task<RollbackKit.Playbooks.StepResult> OursAsync(string name, params (string, string)[] settings)
    {
        using var api = TestSupport.Api(_emulator);
        return await TestSupport.Step(api, "kubernetes.undo", settings).ExecuteAsync(TestSupport.Context("ours", name), CancellationToken.None);
    }

    private void AssertSameDeployment(string name)
    {
        var theirs = _emulator.Get("apps/v1", "deployments", "kubectl", name)!;
        var ours = _emulator.Get("apps/v1", "deployments", "ours", name)!;
        Assert.True(JsonNode.DeepEquals(theirs["spec"]!["template"], ours["spec"]!["template"]),
            $"templates differ:\nkubectl: {theirs["spec"]!["template"]!.ToJsonString()}\nours:    {ours["spec"]!["template"]!.ToJsonString()}");
        var a = (JsonObject)theirs["metadata"]!["annotations"]!.DeepClone();
        var b = (JsonObject)ours["metadata"]!["annotations"]!.DeepClone();
        Assert.Equal("rb-1", b["rollbackkit.io/rollback-id"]!.GetValue<string>());
        b.Remove("rollbackkit.io/rollback-id");
        foreach (var key in s_skipped)
        {
            a.Remove(key);
            b.Remove(key);
        }

        Assert.True(JsonNode.DeepEquals(a, b), $"annotations differ: {a.ToJsonString()} vs {b.ToJsonString()}");
        Assert.Equal(
            theirs["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>(),
            ours["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
    }

    [Fact]
    public async Task Execute_DefaultRevision_MatchesKubectlRolloutUndo()
    {
        SeedBoth("web", null, "web:1", "web:2", "web:3");
        var (code, _, err) = await KubectlUndoAsync("web");
        Assert.True(code == 0, err);
        var result = await OursAsync("web");
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("rolled back deployment ours/web to revision 2", result.Message);
        AssertSameDeployment("web");
        var image = _emulator.Get("apps/v1", "deployments", "ours", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
        Assert.Equal("web:2", image);

        // kubectl sees the same history and a finished rollout on both copies.
        var theirs = await Kubectl.RunAsync(_kubeconfig, "-n", "kubectl", "rollout", "history", "deployment/web");
        var ours = await Kubectl.RunAsync(_kubeconfig, "-n", "ours", "rollout", "history", "deployment/web");
        Assert.True(ours.ExitCode == 0, ours.StdErr);
        Assert.Equal(theirs.StdOut, ours.StdOut);
        Assert.Contains("4         deploy web:2", ours.StdOut);
        var status = await Kubectl.RunAsync(_kubeconfig, "-n", "ours", "rollout", "status", "deployment/web", "--timeout=20s");
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains("successfully rolled out", status.StdOut);
    }

    [Fact]
    public async Task Execute_ToRevision_MatchesKubectlRolloutUndoToRevision()
    {
        SeedBoth("api", null, "api:1", "api:2", "api:3", "api:4");
        var (code, _, err) = await KubectlUndoAsync("api", "--to-revision=1");
        Assert.True(code == 0, err);
        var result = await OursAsync("api", ("toRevision", "1"));
        Assert.True(result.Succeeded, result.Message);
        AssertSameDeployment("api");
        Assert.Equal("api:1", _emulator.Get("apps/v1", "deployments", "ours", "api")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Execute_MatchExpressionsAndForeignReplicaSet_MatchesKubectlAndIgnoresUncontrolled()
    {
        SeedBoth("cart", ns =>
        {
            // A selector with matchExpressions, an extra deployment annotation that must be replaced from the ReplicaSet,
            // and a ReplicaSet with matching labels and a higher revision that the deployment does not control.
            _emulator.MergePatch("apps/v1", "deployments", ns, "cart", """{"metadata":{"annotations":{"team":"payments","kubectl.kubernetes.io/last-applied-configuration":"{}"}}}""");
            _emulator.Store.Mutate(_emulator.Resource("apps/v1", "deployments"), ns, "cart", o =>
            {
                o["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"cart"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["db"]}]}""");
                return o;
            });
            var foreign = JsonNode.Parse("""
                {"metadata":{"name":"cart-foreign","labels":{"app":"cart"},"annotations":{"deployment.kubernetes.io/revision":"99"},
                 "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"other","uid":"someone-else","controller":true}]},
                 "spec":{"replicas":0,"selector":{"matchLabels":{"app":"cart"}}}}
                """)!.AsObject();
            foreign["spec"]!["template"] = EmulatorSeeding.Template("cart", "evil:1");
            _emulator.Store.Create(_emulator.Resource("apps/v1", "replicasets"), ns, foreign);
        }, "cart:1", "cart:2");
        var (code, _, err) = await KubectlUndoAsync("cart");
        Assert.True(code == 0, err);
        var result = await OursAsync("cart");
        Assert.True(result.Succeeded, result.Message);
        AssertSameDeployment("cart");
        var ours = _emulator.Get("apps/v1", "deployments", "ours", "cart")!;
        Assert.Equal("cart:1", ours["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("{}", ours["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>());
        Assert.Null(ours["metadata"]!["annotations"]!["team"]);
        Assert.Null(ours["spec"]!["template"]!["metadata"]!["labels"]!["pod-template-hash"]);
    }

    [Fact]
    public async Task Execute_SameRollbackTwice_UndoesOnlyOnce()
    {
        _emulator.SeedDeployment("ours", "twice", 2, "twice:1", "twice:2", "twice:3");
        Assert.True((await OursAsync("twice")).Succeeded);
        var again = await OursAsync("twice");
        Assert.True(again.Succeeded);
        Assert.Equal("skipped rollback (deployment ours/twice was already rolled back by rb-1)", again.Message);
        Assert.Single(_emulator.Requests, r => r.Verb == "patch");
        Assert.Equal("twice:2", _emulator.Get("apps/v1", "deployments", "ours", "twice")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProbeEffect_BeforeAndAfterUndo_NotAppliedThenApplied()
    {
        // A resumed rollback asks the step whether its interrupted run took effect, instead of running it again.
        _emulator.SeedDeployment("ours", "probed", 2, "probed:1", "probed:2", "probed:3");
        using var api = TestSupport.Api(_emulator);
        var step = TestSupport.Step(api, "kubernetes.undo");
        var probe = Assert.IsAssignableFrom<RollbackKit.Playbooks.IStepEffectProbe>(step);
        var context = TestSupport.Context("ours", "probed");

        Assert.Equal(RollbackKit.Playbooks.StepEffect.NotApplied, await probe.ProbeEffectAsync(context, CancellationToken.None));
        Assert.True((await step.ExecuteAsync(context, CancellationToken.None)).Succeeded);
        Assert.Equal(RollbackKit.Playbooks.StepEffect.Applied, await probe.ProbeEffectAsync(context, CancellationToken.None));

        // Rolled back by kubectl (not by this rollback): the effect of this step is not proven.
        _emulator.SeedDeployment("kubectl", "probed", 2, "probed:1", "probed:2", "probed:3");
        Assert.Equal(0, (await KubectlUndoAsync("probed")).Code);
        var kubectlContext = TestSupport.Context("kubectl", "probed");
        Assert.Equal(RollbackKit.Playbooks.StepEffect.NotApplied, await probe.ProbeEffectAsync(kubectlContext, CancellationToken.None));
    }

    [Fact]
    public async Task ProbeEffect_MarkRollbackFalse_Unknown()
    {
        _emulator.SeedDeployment("ours", "unmarked", 2, "unmarked:1", "unmarked:2");
        using var api = TestSupport.Api(_emulator);
        var probe = Assert.IsAssignableFrom<RollbackKit.Playbooks.IStepEffectProbe>(TestSupport.Step(api, "kubernetes.undo", ("markRollback", "false")));
        Assert.Equal(RollbackKit.Playbooks.StepEffect.Unknown, await probe.ProbeEffectAsync(TestSupport.Context("ours", "unmarked"), CancellationToken.None));
    }

    [Fact]
    public void WaitStep_IsRepeatable()
    {
        using var api = TestSupport.Api(_emulator);
        Assert.True(Assert.IsAssignableFrom<RollbackKit.Playbooks.IRepeatableStep>(TestSupport.Step(api, "kubernetes.wait")).IsRepeatable);
    }

    [Fact]
    public async Task Execute_MarkRollbackFalse_UndoesAgainLikeKubectl()
    {
        _emulator.SeedDeployment("ours", "plain", 2, "plain:1", "plain:2", "plain:3");
        Assert.True((await OursAsync("plain", ("markRollback", "false"))).Succeeded);
        Assert.True((await OursAsync("plain", ("markRollback", "false"))).Succeeded);
        var d = _emulator.Get("apps/v1", "deployments", "ours", "plain")!;
        Assert.Equal("plain:3", d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Null(d["metadata"]!["annotations"]!["rollbackkit.io/rollback-id"]);
    }

    [Fact]
    public async Task Execute_NoHistory_FailsLikeKubectl()
    {
        SeedBoth("solo", null, "solo:1");
        var (code, _, err) = await KubectlUndoAsync("solo");
        Assert.NotEqual(0, code);
        var result = await OursAsync("solo");
        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("no rollout history found for deployment \"solo\"", result.Message);
        Assert.Contains(result.Message!, err);
    }

    [Fact]
    public async Task Execute_MissingRevision_FailsLikeKubectl()
    {
        SeedBoth("miss", null, "miss:1", "miss:2");
        var (code, _, err) = await KubectlUndoAsync("miss", "--to-revision=9");
        Assert.NotEqual(0, code);
        var result = await OursAsync("miss", ("toRevision", "9"));
        Assert.False(result.Succeeded);
        Assert.Equal("unable to find specified revision 9 in history", result.Message);
        Assert.Contains(result.Message!, err);
    }

    [Fact]
    public async Task Execute_Paused_RefusesLikeKubectl()
    {
        SeedBoth("held", ns => _emulator.MergePatch("apps/v1", "deployments", ns, "held", """{"spec":{"paused":true}}"""), "held:1", "held:2");
        var (code, _, err) = await KubectlUndoAsync("held");
        Assert.NotEqual(0, code);
        var result = await OursAsync("held");
        Assert.False(result.Succeeded);
        Assert.True(err.Contains(result.Message!, StringComparison.Ordinal), err + " vs " + result.Message);
        Assert.StartsWith("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume'", result.Message);
        Assert.Contains(result.Message!, err);
        Assert.DoesNotContain(_emulator.Requests, r => r.Verb == "patch" && r.Path.Contains("/ours/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_TemplateAlreadyMatches_SkipsLikeKubectl()
    {
        SeedBoth("same", null, "same:1", "same:2");
        var (code, stdout, err) = await KubectlUndoAsync("same", "--to-revision=2");
        Assert.True(code == 0, err);
        var result = await OursAsync("same", ("toRevision", "2"));
        Assert.True(result.Succeeded);
        Assert.Equal("skipped rollback (current template already matches revision 2)", result.Message);
        Assert.Contains(result.Message!, stdout);
        Assert.DoesNotContain(_emulator.Requests, r => r.Verb == "patch");
    }

    [Fact]
    public async Task Execute_ConflictStormWithinBudget_RetriesByRereadingThenSucceeds()
    {
        _emulator.SeedDeployment("ours", "busy", 2, "busy:1", "busy:2");
        _emulator.InjectFaults(3, 409, verb: "patch", resource: "deployments");
        var result = await OursAsync("busy");
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(4, _emulator.Requests.Count(r => r.Verb == "patch"));
        Assert.Equal(4, _emulator.Requests.Count(r => r.Verb == "get" && r.Resource == "deployments"));
        Assert.Equal("busy:1", _emulator.Get("apps/v1", "deployments", "ours", "busy")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Execute_ConflictStormBeyondBudget_FailsClearly()
    {
        _emulator.SeedDeployment("ours", "stormy", 2, "stormy:1", "stormy:2");
        _emulator.InjectFaults(100, 409, verb: "patch", resource: "deployments");
        var result = await OursAsync("stormy");
        Assert.False(result.Succeeded);
        Assert.Contains("gave up rolling back deployment ours/stormy after 6 conflicting updates (409)", result.Message);
        Assert.Equal(6, _emulator.Requests.Count(r => r.Verb == "patch"));
    }

    [Fact]
    public async Task Execute_ServerErrors_RetriedWithBackoff()
    {
        _emulator.SeedDeployment("ours", "flaky", 2, "flaky:1", "flaky:2");
        _emulator.InjectFaults(2, 503, verb: "list", resource: "replicasets");
        var result = await OursAsync("flaky");
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal([503, 503, 200], _emulator.Requests.Where(r => r.Verb == "list").Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Execute_ServerErrorsBeyondRetries_FailsTransient()
    {
        _emulator.SeedDeployment("ours", "down", 2, "down:1", "down:2");
        _emulator.InjectFaults(100, 500, verb: "get", resource: "deployments");
        var result = await OursAsync("down");
        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.Contains("get deployments/down in namespace 'ours' failed with 500", result.Message);
        Assert.Equal(4, _emulator.Requests.Count(r => r.Verb == "get"));
    }

    [Fact]
    public async Task Execute_PatchForbidden_NamesVerbAndResource()
    {
        _emulator.SeedDeployment("ours", "locked", 2, "locked:1", "locked:2");
        _emulator.Forbid("patch", "deployments");
        var result = await OursAsync("locked");
        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.StartsWith("forbidden: needs 'patch' on 'deployments' (apps) in namespace 'ours'", result.Message);
        Assert.Single(_emulator.Requests, r => r.Verb == "patch");
    }

    [Fact]
    public async Task Execute_ListForbidden_NamesListOnReplicaSets()
    {
        _emulator.SeedDeployment("ours", "nolist", 2, "nolist:1", "nolist:2");
        _emulator.Forbid("list", "replicasets");
        var result = await OursAsync("nolist");
        Assert.StartsWith("forbidden: needs 'list' on 'replicasets' (apps) in namespace 'ours'", result.Message);
    }

    [Fact]
    public async Task Execute_SlowServer_TimesOutPerCall()
    {
        _emulator.SeedDeployment("ours", "slow", 2, "slow:1", "slow:2");
        _emulator.Latency = TimeSpan.FromSeconds(3);
        using var api = TestSupport.Api(_emulator, o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(200);
            o.MaxRetries = 0;
        });
        var result = await TestSupport.Step(api, "kubernetes.undo").ExecuteAsync(TestSupport.Context("ours", "slow"), CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.Equal("get deployments/slow in namespace 'ours' timed out after 0.2 s", result.Message);
    }

    [Fact]
    public async Task Execute_Cancelled_ThrowsOperationCanceled()
    {
        _emulator.SeedDeployment("ours", "gone", 2, "gone:1", "gone:2");
        _emulator.Latency = TimeSpan.FromSeconds(3);
        using var api = TestSupport.Api(_emulator);
        using var cts = new CancellationTokenSource();
        var run = TestSupport.Step(api, "kubernetes.undo").ExecuteAsync(TestSupport.Context("ours", "gone"), cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal("gone:2", _emulator.Get("apps/v1", "deployments", "ours", "gone")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Execute_NoDeploymentNameAnywhere_FailsNamingTheSetting()
    {
        using var api = TestSupport.Api(_emulator);
        var context = new RollbackKit.Playbooks.PlaybookStepContext(
            "rb", new RollbackRequest { Target = new RollbackTarget("x"), TriggerType = RollbackTriggerType.Manual, Reason = "r" },
            new EvidenceCollector(), new Microsoft.Extensions.DependencyInjection.ServiceCollection().BuildServiceProvider(), TimeProvider.System);
        var result = await TestSupport.Step(api, "kubernetes.undo").ExecuteAsync(context, CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("Settings:deployment", result.Message);
    }

    [Fact]
    public async Task Execute_MissingDeployment_FailsNotFound()
    {
        var result = await OursAsync("nothere");
        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("deployments.apps \"nothere\" not found in namespace 'ours'", result.Message);
    }
}
