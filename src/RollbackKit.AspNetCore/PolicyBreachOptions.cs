namespace RollbackKit.AspNetCore;

/// <summary>Settings of the <c>policy-breach</c> webhook, bound from <c>RollbackKit:PolicyBreach</c>.</summary>
public sealed class PolicyBreachOptions
{
    /// <summary>The configuration section: <c>RollbackKit:PolicyBreach</c>.</summary>
    public const string SectionName = "RollbackKit:PolicyBreach";

    /// <summary>The shared secret for the HMAC-SHA256 body signature; never logged. Required.</summary>
    public string? Secret { get; set; }

    /// <summary>The header carrying <c>sha256=&lt;hex&gt;</c>. Default: <c>X-RollbackKit-Signature</c>.</summary>
    public string SignatureHeader { get; set; } = "X-RollbackKit-Signature";
}
