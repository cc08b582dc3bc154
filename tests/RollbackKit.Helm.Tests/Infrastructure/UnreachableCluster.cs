namespace RollbackKit.Helm.Tests.Infrastructure;

/// <summary>A kubeconfig whose only cluster is a closed loopback port: every request fails with "connection refused".</summary>
internal sealed class UnreachableCluster : IDisposable
{
    private readonly TempDirectory _directory = new();

    public UnreachableCluster()
    {
        KubeConfig = _directory.File("kubeconfig");
        File.WriteAllText(KubeConfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: closed
              cluster:
                server: https://127.0.0.1:1
                insecure-skip-tls-verify: true
            users:
            - name: user
              user:
                token: not-a-real-token
            contexts:
            - name: closed
              context: {cluster: closed, user: user, namespace: shop}
            current-context: closed
            """);
        Home = _directory.File("helm-home");
    }

    public string KubeConfig { get; }

    public string Home { get; }

    public void Dispose() => _directory.Dispose();
}
