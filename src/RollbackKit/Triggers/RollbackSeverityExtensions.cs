namespace RollbackKit.Triggers;

/// <summary>Helpers for <see cref="RollbackSeverity"/>.</summary>
public static class RollbackSeverityExtensions
{
    /// <summary>The incident priority for a severity: <c>P0</c>, <c>P1</c> or <c>P2</c>.</summary>
    /// <param name="severity">The severity.</param>
    public static string ToPriority(this RollbackSeverity severity) => severity switch
    {
        RollbackSeverity.Critical => "P0",
        RollbackSeverity.High => "P1",
        _ => "P2",
    };

    /// <summary>Parses <c>P0</c>/<c>P1</c>/<c>P2</c>, <c>critical</c>/<c>high</c>/<c>medium</c> (case-insensitive).</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="severity">The parsed severity.</param>
    /// <returns><see langword="true"/> when recognised.</returns>
    public static bool TryParse(string? text, out RollbackSeverity severity)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "P0" or "CRITICAL" or "SEV0" or "SEV1":
                severity = RollbackSeverity.Critical;
                return true;
            case "P1" or "HIGH" or "SEV2" or "ERROR":
                severity = RollbackSeverity.High;
                return true;
            case "P2" or "MEDIUM" or "SEV3" or "WARNING" or "LOW" or "P3":
                severity = RollbackSeverity.Medium;
                return true;
            default:
                severity = RollbackSeverity.Medium;
                return false;
        }
    }
}
