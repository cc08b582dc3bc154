using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Helm.Tests.EndToEnd;

/// <summary>One Kubernetes API emulator (loopback) with a kubeconfig, a helm home and a small local chart, shared by a test class.</summary>
public sealed class HelmClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private int _releases;

    public KubernetesApiEmulator Emulator { get; private set; } = null!;

    public string KubeConfig { get; private set; } = null!;

    public string HelmHome => _directory.File("helm-home");

    /// <summary>
    /// The chart <c>demo-0.1.0</c> (appVersion 1.0): a ConfigMap <c>&lt;release&gt;-config</c> whose <c>version</c> is
    /// the <c>version</c> value, plus a Pod that never becomes ready when <c>stuck=true</c>.
    /// </summary>
    public string Chart { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await KubernetesApiEmulator.StartAsync();
        KubeConfig = Emulator.WriteKubeconfig(_directory.File("kube"));
        Chart = DemoChart.Write(_directory.File("demo"));
    }

    public async Task DisposeAsync()
    {
        await Emulator.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>A release name not used before in this fixture.</summary>
    public string NewRelease(string major) => $"web{major}-{Interlocked.Increment(ref _releases)}";

    /// <summary>A CLI for the real helm binary of this major version, pointed at the emulator.</summary>
    internal HelmCli Cli(string major) => TestHelm.Cli(new HelmOptions
    {
        HelmPath = HelmBinaries.Path(major),
        KubeConfig = KubeConfig,
        HomeDirectory = HelmHome,
    });

    /// <summary>Runs helm itself (install/upgrade/history) against the emulator, as a deployer would.</summary>
    internal Task<HelmCommandResult> HelmAsync(HelmCli cli, params string[] args) =>
        cli.RunAsync([.. args, "--kubeconfig", KubeConfig], TimeSpan.FromSeconds(60), CancellationToken.None);

    /// <summary>Runs <c>helm install|upgrade</c> (OpenAPI validation off: the emulator serves no OpenAPI schema).</summary>
    internal Task<HelmCommandResult> DeployAsync(HelmCli cli, string verb, string release, string ns, params string[] extra) =>
        HelmAsync(cli, [verb, release, Chart, "--namespace", ns, "--disable-openapi-validation", .. extra]);

    /// <summary>The release history as helm reports it.</summary>
    internal async Task<List<HelmRevision>> HistoryAsync(HelmCli cli, string release, string ns)
    {
        var result = await HelmAsync(cli, "history", release, "--namespace", ns, "--output", "json");
        Assert.True(result.Succeeded, result.ToEvidence());
        return HelmJson.ParseHistory(result.Process.StandardOutput);
    }

    /// <summary>Makes the cluster refuse every write to ConfigMaps (403), so that an upgrade fails after helm recorded it.</summary>
    public IDisposable RefuseConfigMapWrites()
    {
        string[] verbs = ["create", "update", "patch"];
        foreach (var verb in verbs)
        {
            Emulator.Forbid(verb, "configmaps");
        }

        return new Restore(() =>
        {
            foreach (var verb in verbs)
            {
                Emulator.Allow(verb, "configmaps");
            }
        });
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

internal static class DemoChart
{
    public static string Write(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "templates"));
        File.WriteAllText(Path.Combine(directory, "Chart.yaml"), """
            apiVersion: v2
            name: demo
            version: 0.1.0
            appVersion: "1.0"
            """);
        File.WriteAllText(Path.Combine(directory, "values.yaml"), """
            version: "1.0"
            stuck: false
            dbPassword: ""
            """);
        File.WriteAllText(Path.Combine(directory, "templates", "configmap.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-config
            data:
              version: {{ .Values.version | quote }}
            """);
        File.WriteAllText(Path.Combine(directory, "templates", "stuck-pod.yaml"), """
            {{- if .Values.stuck }}
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{ .Release.Name }}-stuck
            spec:
              containers:
              - name: app
                image: "example.invalid/app:{{ .Values.version }}"
            {{- end }}
            """);
        return directory;
    }
}
