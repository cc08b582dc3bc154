using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Steps;

namespace RollbackKit.Kubernetes.Tests.Steps;

public sealed class WaitStepTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private KubernetesApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await KubernetesApiEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private int DeploymentGets => _emulator.Requests.Count(r => r.Verb == "get" && r.Resource == "deployments");

    /// <summary>
    /// Runs the step and, <paramref name="waits"/> times, advances the fake clock by the poll interval once the step waits on
    /// it; then the step must have finished without waiting again.
    /// </summary>
    private async Task<RollbackKit.Playbooks.StepResult> RunWithFakeClockAsync(string name, TimeSpan poll, int waits, params (string, string)[] settings)
    {
        var time = new ObservableFakeTimeProvider();
        using var api = TestSupport.Api(_emulator);
        var step = TestSupport.Step(api, "kubernetes.wait", settings);
        var run = step.ExecuteAsync(TestSupport.Context("shop", name, time: time), CancellationToken.None).AsTask();
        for (var i = 0; i < waits; i++)
        {
            await time.WaitForTimerAsync(poll);
            Assert.Equal(i + 1, DeploymentGets); // one poll before each wait
            time.Advance(poll);
        }

        var result = await run.WaitAsync(ObservableFakeTimeProvider.WaitLimit);
        Assert.Equal(TimeSpan.FromTicks(poll.Ticks * waits), time.GetUtcNow() - time.Start);
        return result;
    }

    [Fact]
    public async Task Execute_RolloutCompletesAfterPolls_Succeeds()
    {
        _emulator.SeedDeployment("shop", "web", 3, "web:1");
        _emulator.Deployments.ReadsToComplete = 3;
        _emulator.SetImage("shop", "web", "web:2");
        var result = await RunWithFakeClockAsync("web", TimeSpan.FromSeconds(1), waits: 2, ("pollInterval", "00:00:01"));
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("deployment \"web\" successfully rolled out", result.Message);
        Assert.Equal(3, DeploymentGets);
    }

    [Fact]
    public async Task Execute_ProgressDeadlineExceeded_FailsNotTransient()
    {
        _emulator.SeedDeployment("shop", "stuck", 2, "stuck:1");
        _emulator.Deployments.ReadsToComplete = 1000;
        _emulator.SetImage("shop", "stuck", "stuck:2");
        _emulator.Deployments.FailProgressDeadline("shop", "stuck");
        using var api = TestSupport.Api(_emulator);
        var result = await TestSupport.Step(api, "kubernetes.wait").ExecuteAsync(TestSupport.Context("shop", "stuck"), CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("deployment \"stuck\" exceeded its progress deadline", result.Message);
    }

    [Fact]
    public async Task Execute_NeverCompletes_TimesOutOnTheFakeClock()
    {
        _emulator.SeedDeployment("shop", "slow", 2, "slow:1");
        _emulator.Deployments.ReadsToComplete = 1000;
        _emulator.SetImage("shop", "slow", "slow:2");
        var result = await RunWithFakeClockAsync("slow", TimeSpan.FromSeconds(2), waits: 5, ("timeout", "00:00:10"), ("pollInterval", "00:00:02"));
        Assert.False(result.Succeeded);
        Assert.StartsWith("timed out after 00:00:10 waiting for the rollout of deployment shop/slow: Waiting for deployment \"slow\" rollout to finish", result.Message);
        Assert.Equal(6, DeploymentGets); // at 0, 2, 4, 6, 8 and 10 seconds
    }

    [Fact]
    public async Task Execute_UnitDurations_TimesOutOnTheFakeClock()
    {
        _emulator.SeedDeployment("shop", "slow", 2, "slow:1");
        _emulator.Deployments.ReadsToComplete = 1000;
        _emulator.SetImage("shop", "slow", "slow:2");
        var result = await RunWithFakeClockAsync("slow", TimeSpan.FromSeconds(2), waits: 5, ("timeout", "10s"), ("pollInterval", "2s"));
        Assert.False(result.Succeeded);
        Assert.StartsWith("timed out after 00:00:10 waiting for the rollout", result.Message);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("00:05:00", 300_000)]
    public void Create_DurationForms_ReadLikeEveryOtherDuration(string text, int milliseconds)
    {
        using var api = TestSupport.Api(_emulator);
        var step = (WaitStep)TestSupport.Step(api, "kubernetes.wait", ("timeout", text), ("pollInterval", text));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), step.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), step.PollInterval);
    }

    [Theory]
    [InlineData("timeout", "5x")]
    [InlineData("pollInterval", "-2s")]
    [InlineData("timeout", "0s")]
    public void Create_NotAPositiveDuration_NamesSettingAndValue(string setting, string text)
    {
        using var api = TestSupport.Api(_emulator);
        var ex = Assert.Throws<RollbackKit.Playbooks.PlaybookConfigurationException>(() => TestSupport.Step(api, "kubernetes.wait", (setting, text)));
        Assert.Equal(setting, ex.Setting);
        Assert.StartsWith($"Settings:{setting}: '{text}' is not a positive duration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Cancelled_WhileWaiting_Throws()
    {
        _emulator.SeedDeployment("shop", "c", 1, "c:1");
        _emulator.Deployments.ReadsToComplete = 1000;
        _emulator.SetImage("shop", "c", "c:2");
        var time = new ObservableFakeTimeProvider();
        using var api = TestSupport.Api(_emulator);
        using var cts = new CancellationTokenSource();
        var run = TestSupport.Step(api, "kubernetes.wait").ExecuteAsync(TestSupport.Context("shop", "c", time: time), cts.Token).AsTask();
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(2)); // polled once, now waiting the default poll interval
        Assert.Equal(1, DeploymentGets);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(ObservableFakeTimeProvider.WaitLimit));
        Assert.Equal(1, DeploymentGets);
    }

    [Fact]
    public void Evaluate_StatusCases_MatchKubectlRolloutStatus()
    {
        static k8s.Models.V1Deployment D(long gen, long observed, int replicas, int updated, int total, int available) => new()
        {
            Metadata = new() { Name = "d", Generation = gen },
            Spec = new() { Replicas = replicas },
            Status = new() { ObservedGeneration = observed, UpdatedReplicas = updated, Replicas = total, AvailableReplicas = available },
        };

        Assert.Equal("Waiting for deployment spec update to be observed...", RollbackKit.Kubernetes.Steps.WaitStep.Evaluate(D(2, 1, 1, 1, 1, 1)).Message);
        Assert.Equal("Waiting for deployment \"d\" rollout to finish: 1 out of 3 new replicas have been updated...", RollbackKit.Kubernetes.Steps.WaitStep.Evaluate(D(1, 1, 3, 1, 3, 3)).Message);
        Assert.Equal("Waiting for deployment \"d\" rollout to finish: 2 old replicas are pending termination...", RollbackKit.Kubernetes.Steps.WaitStep.Evaluate(D(1, 1, 3, 3, 5, 3)).Message);
        Assert.Equal("Waiting for deployment \"d\" rollout to finish: 2 of 3 updated replicas are available...", RollbackKit.Kubernetes.Steps.WaitStep.Evaluate(D(1, 1, 3, 3, 3, 2)).Message);
        Assert.True(RollbackKit.Kubernetes.Steps.WaitStep.Evaluate(D(1, 1, 3, 3, 3, 3)).Done);
    }
}
