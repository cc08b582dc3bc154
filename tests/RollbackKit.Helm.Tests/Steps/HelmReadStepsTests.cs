using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;

namespace RollbackKit.Helm.Tests.Steps;

public sealed class HelmReadStepsTests : IDisposable
{
    private readonly TempDirectory _home = new();
    private readonly RecordingEvidence _evidence = new();

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    [Fact]
    public async Task HistoryStep_RecordsHistoryEvidence()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("history.json", Fixture("handwritten/history-failed-upgrade.json"));
        var step = new HelmHistoryStepFactory(TestHelm.Cli(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path }))
            .Create(TestHelm.Definition(HelmStepTypes.History));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("release 'web' in namespace 'shop': 3 revision(s); current revision 3 is failed", result.Message);
        Assert.Equal(Fixture("handwritten/history-failed-upgrade.json"), _evidence.Items["helm/shop/web/history.json"]);
        Assert.Equal("helm.history", step.Name);
    }

    [Fact]
    public async Task StatusStep_RecordsTrimmedStatusEvidence()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("status.json", Fixture("handwritten/status-deployed.json"));
        var definition = TestHelm.Definition(HelmStepTypes.Status, ("namespace", "payments"));
        definition.Name = "record release status";
        var step = new HelmStatusStepFactory(TestHelm.Cli(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path, KubeContext = "prod" }))
            .Create(definition);

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("release 'web' in namespace 'payments' is deployed at revision 2 (chart demo-0.2.0)", result.Message);
        Assert.Equal("record release status", step.Name);
        var evidence = _evidence.Items["helm/payments/web/status.json"];
        Assert.DoesNotContain("hunter2", evidence, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"deployed\"", evidence, StringComparison.Ordinal);
        Assert.Equal(["status", "web", "--output", "json", "--namespace", "payments", "--kube-context", "prod"], Assert.Single(fake.Calls()));
    }

    [Fact]
    public async Task StatusStep_MalformedOutput_FailsWithoutThrowing()
    {
        using var fake = FakeHelm.Scripted();
        fake.Write("status.json", "<html>proxy error</html>");
        var step = new HelmStatusStepFactory(TestHelm.Cli(new HelmOptions { HelmPath = fake.Path, HomeDirectory = _home.Path }))
            .Create(TestHelm.Definition(HelmStepTypes.Status));

        var result = await step.ExecuteAsync(TestHelm.Context(_evidence), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith("helm status: output is not valid JSON", result.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _home.Dispose();
}
