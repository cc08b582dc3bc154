using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Redaction;

namespace RollbackKit.Kubernetes.Tests;

/// <summary>The Kubernetes adapter's log lines (API errors, lease and election reasons) go through the one redactor.</summary>
public sealed class KubernetesLogRedactionTests
{
    [Fact]
    public void ApiLogger_SecretsInAReason_LoggedMasked()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddFakeLogging();
        services.AddSingleton(SecretLeaks.Source);
        services.AddRollbackKit().AddKubernetes(o => o.Server = new Uri("http://127.0.0.1:1"));
        using var provider = services.BuildServiceProvider();
        var api = provider.GetRequiredService<KubernetesApi>();

        Log.Retrying(api.Logger, 1, "401 from the API server: " + SecretLeaks.Text);
        Log.ElectionFailed(api.Logger, SecretLeaks.Text);

        var logs = SecretLeaks.LogText(provider.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("401 from the API server: kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
