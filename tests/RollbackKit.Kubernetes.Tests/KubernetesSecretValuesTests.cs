using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Redaction;

namespace RollbackKit.Kubernetes.Tests;

public sealed class KubernetesSecretValuesTests : IDisposable
{
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "rbk-kubeconfig-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => File.Delete(_kubeconfig);

    [Fact]
    public void Redactor_KubeconfigUserToken_Masked()
    {
        File.WriteAllText(_kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: http://127.0.0.1:6443
            users:
            - name: u
              user:
                token: kube-user-token-0a1b2c
            contexts:
            - name: ctx
              context:
                cluster: c
                user: u
            current-context: ctx
            """);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit().AddKubernetes(o => o.KubeconfigPath = _kubeconfig);
        using var provider = services.BuildServiceProvider();

        var redactor = provider.GetRequiredService<SecretRedactor>();

        Assert.Equal("kubectl said: token *** expired", redactor.Redact("kubectl said: token kube-user-token-0a1b2c expired"));
    }
}
