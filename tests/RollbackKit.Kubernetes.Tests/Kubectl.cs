using System.Diagnostics;

namespace RollbackKit.Kubernetes.Tests;

/// <summary>Runs the real kubectl against a kubeconfig, with a bounded wait.</summary>
internal static class Kubectl
{
    public const string Path = "/usr/bin/kubectl";

    public static int Timeout { get; set; } = 60;

    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string kubeconfig, params string[] args)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(kubeconfig);
        psi.ArgumentList.Add("--request-timeout=30s");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = System.IO.Path.GetDirectoryName(kubeconfig)!;
        psi.Environment["KUBECACHEDIR"] = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(kubeconfig)!, "cache");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Timeout));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within 60 s: {await stdout} {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rbk-k8s-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
