using System.Diagnostics;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Emulator;

/// <summary>The emulator serves the real helm 3 and helm 4 binaries: install, upgrade, history, rollback, uninstall.</summary>
public sealed class EmulatorHelmTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private KubernetesApiEmulator _emulator = null!;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesApiEmulator.StartAsync();
        _kubeconfig = _emulator.WriteKubeconfig(_dir.Path, "apps");
        var chart = Path.Combine(_dir.Path, "chart");
        Directory.CreateDirectory(Path.Combine(chart, "templates"));
        await File.WriteAllTextAsync(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        await File.WriteAllTextAsync(Path.Combine(chart, "values.yaml"), "color: blue\n");
        await File.WriteAllTextAsync(Path.Combine(chart, "templates", "configmap.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-settings
              labels:
                app: {{ .Release.Name }}
            data:
              color: {{ .Values.color | quote }}
            """);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    internal static string HelmPath(int major)
    {
        var env = Environment.GetEnvironmentVariable($"ROLLBACKKIT_HELM{major}");
        if (!string.IsNullOrEmpty(env) && File.Exists(env))
        {
            return env;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RollbackKit.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir!.FullName, ".tools", $"helm{major}", "helm");
        return File.Exists(path) ? path : throw new FileNotFoundException($"helm {major} not found: run eng/install-test-deps.sh", path);
    }

    private async Task<(int Code, string Out, string Err)> HelmAsync(int major, params string[] args)
    {
        var psi = new ProcessStartInfo(HelmPath(major)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(_kubeconfig);
        foreach (var v in new[] { "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME", "HOME" })
        {
            psi.Environment[v] = Path.Combine(_dir.Path, "home-" + major);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', args)} timed out: {await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Helm_InstallWithDeploymentAndWait_Succeeds(int major)
    {
        var chart = Path.Combine(_dir.Path, "chart");
        await File.WriteAllTextAsync(Path.Combine(chart, "templates", "deployment.yaml"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ .Release.Name }}-web
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: {{ .Release.Name }}-web
              template:
                metadata:
                  labels:
                    app: {{ .Release.Name }}-web
                spec:
                  containers:
                    - name: web
                      image: "web:{{ .Values.color }}"
            """);
        var release = $"wait{major}";
        var r = await HelmAsync(major, "install", release, chart, "-n", "apps", "--wait", "--timeout", "60s");
        Assert.True(r.Code == 0, r.Err + r.Out);
        r = await HelmAsync(major, "upgrade", release, chart, "-n", "apps", "--set", "color=red", "--wait", "--timeout", "60s");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Equal("web:red", _emulator.Get("apps/v1", "deployments", "apps", $"{release}-web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        r = await HelmAsync(major, "rollback", release, "1", "-n", "apps", "--wait", "--timeout", "60s");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Equal("web:blue", _emulator.Get("apps/v1", "deployments", "apps", $"{release}-web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Helm_InstallUpgradeRollbackUninstall_Works(int major)
    {
        var release = $"demo{major}";
        var chart = Path.Combine(_dir.Path, "chart");
        var r = await HelmAsync(major, "install", release, chart, "-n", "apps");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Equal("blue", _emulator.Get("v1", "configmaps", "apps", $"{release}-settings")!["data"]!["color"]!.GetValue<string>());

        r = await HelmAsync(major, "upgrade", release, chart, "-n", "apps", "--set", "color=red");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Equal("red", _emulator.Get("v1", "configmaps", "apps", $"{release}-settings")!["data"]!["color"]!.GetValue<string>());
        Assert.Equal(2, _emulator.List("v1", "secrets", "apps", $"owner=helm,name={release}").Count);

        r = await HelmAsync(major, "history", release, "-n", "apps");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Contains("deployed", r.Out);
        Assert.Contains("superseded", r.Out);

        r = await HelmAsync(major, "rollback", release, "1", "-n", "apps");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Equal("blue", _emulator.Get("v1", "configmaps", "apps", $"{release}-settings")!["data"]!["color"]!.GetValue<string>());

        r = await HelmAsync(major, "list", "-n", "apps");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Contains(release, r.Out);

        r = await HelmAsync(major, "uninstall", release, "-n", "apps");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Null(_emulator.Get("v1", "configmaps", "apps", $"{release}-settings"));
        Assert.Empty(_emulator.List("v1", "secrets", "apps", $"owner=helm,name={release}"));
    }
}
