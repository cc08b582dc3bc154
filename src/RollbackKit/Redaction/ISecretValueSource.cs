namespace RollbackKit.Redaction;

/// <summary>
/// Contributes configured secret values (tokens, passwords, signing secrets, webhook URLs) to the redactor. Every registered
/// source is read once, when the redactor is built at start; afterwards each of its values is masked wherever it appears in
/// the journal, the evidence bundle and the logs.
/// </summary>
public interface ISecretValueSource
{
    /// <summary>The secret values to mask; <see langword="null"/> and empty values are ignored.</summary>
    /// <returns>The configured secret values.</returns>
    IEnumerable<string?> GetSecretValues();
}
