namespace RollbackKit.AspNetCore;

/// <summary>Settings of the inbound webhook endpoints, bound from <c>RollbackKit:Webhooks</c>.</summary>
public sealed class RollbackKitWebhookOptions
{
    /// <summary>The configuration section: <c>RollbackKit:Webhooks</c>.</summary>
    public const string SectionName = "RollbackKit:Webhooks";

    /// <summary>The largest request body accepted, in bytes; larger requests get 413. Default: 1 MiB (1048576).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
