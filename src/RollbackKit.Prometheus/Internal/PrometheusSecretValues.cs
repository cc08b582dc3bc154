using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Contributes the Prometheus credentials (bearer token, basic-auth password, extra header values) to the redactor.</summary>
internal sealed class PrometheusSecretValues(IOptions<PrometheusOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues()
    {
        var value = options.Value;
        return [value.BearerToken, value.Password, .. value.Headers.Values];
    }
}

/// <summary>Contributes the Alertmanager webhook's credentials to the redactor.</summary>
internal sealed class AlertmanagerSecretValues(IOptions<AlertmanagerSignalOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues() => [options.Value.BearerToken, options.Value.Password];
}
