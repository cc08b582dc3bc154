using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>Contributes the PagerDuty routing key and webhook signing secrets to the redactor.</summary>
internal sealed class PagerDutySecretValues(IOptions<PagerDutyOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues() => [options.Value.RoutingKey, .. options.Value.WebhookSecrets];
}
