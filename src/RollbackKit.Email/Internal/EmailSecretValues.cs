using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.Email.Internal;

/// <summary>Contributes the SMTP password to the redactor.</summary>
internal sealed class EmailSecretValues(IOptions<EmailOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues() => [options.Value.Password];
}
