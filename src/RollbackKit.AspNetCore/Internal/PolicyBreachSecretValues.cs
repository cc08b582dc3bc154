using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>Contributes the policy-breach webhook's shared secret to the redactor.</summary>
internal sealed class PolicyBreachSecretValues(IOptions<PolicyBreachOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues() => [options.Value.Secret];
}
