using k8s;
using k8s.Exceptions;
using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>
/// Contributes the Kubernetes credentials the options select (the kubeconfig user's token, password and client key, or the
/// in-cluster service-account token) to the redactor. Read once at start; a configuration that cannot be read contributes nothing.
/// </summary>
internal sealed class KubernetesSecretValues(IOptions<KubernetesOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues()
    {
        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesApi.BuildConfiguration(options.Value);
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return [];
        }

        return [config.AccessToken, config.Password, config.ClientCertificateKeyData];
    }
}
