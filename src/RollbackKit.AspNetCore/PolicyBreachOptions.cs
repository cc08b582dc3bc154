namespace RollbackKit.AspNetCore;

/// <summary>Settings of the <c>policy-breach</c> webhook, bound from <c>RollbackKit:PolicyBreach</c>.</summary>
public sealed class PolicyBreachOptions
{
    /// <summary>The configuration section: <c>RollbackKit:PolicyBreach</c>.</summary>
    public const string SectionName = "RollbackKit:PolicyBreach";

    /// <summary>The shared secret for the HMAC-SHA256 body signature; never logged. Required.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// The header carrying <c>sha256=&lt;hex HMAC-SHA256 of "{timestamp}.{body}"&gt;</c>. Default: <c>X-RollbackKit-Signature</c>.
    /// </summary>
    public string SignatureHeader { get; set; } = "X-RollbackKit-Signature";

    /// <summary>The header carrying the send time in Unix seconds, covered by the signature. Default: <c>X-RollbackKit-Timestamp</c>.</summary>
    public string TimestampHeader { get; set; } = "X-RollbackKit-Timestamp";

    /// <summary>
    /// How far the timestamp may be from now (either way) before the request is refused as a possible replay (401).
    /// Default: 5 minutes; at most 1 hour.
    /// </summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
