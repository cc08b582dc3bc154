namespace RollbackKit.PagerDuty;

/// <summary>PagerDuty settings, bound from <c>RollbackKit:PagerDuty</c>: outbound escalations (Events API v2) and inbound incident webhooks (v3).</summary>
public sealed class PagerDutyOptions
{
    /// <summary>The configuration section: <c>RollbackKit:PagerDuty</c>.</summary>
    public const string SectionName = "RollbackKit:PagerDuty";

    /// <summary>The Events API v2 integration (routing) key; a secret, never logged. Default: none (no escalations are sent).</summary>
    public string? RoutingKey { get; set; }

    /// <summary>The Events API base URL; events go to <c>{base}/v2/enqueue</c>. Default: <c>https://events.pagerduty.com/</c>.</summary>
    public Uri EventsApiBaseUrl { get; set; } = new("https://events.pagerduty.com/");

    /// <summary>The <c>payload.source</c> of events. Default: <c>rollbackkit</c>.</summary>
    public string Source { get; set; } = "rollbackkit";

    /// <summary>Retries after the first attempt for 429 and 5xx responses (400 is never retried). Default: 4.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry delay; it doubles per retry (a <c>Retry-After</c> header wins). Default: 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one HTTP request. Default: 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Signing secrets of the v3 webhook subscription (more than one during rotation); never logged. Default: empty (incident webhooks are refused).</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>Maps a PagerDuty service id (for example <c>PF9KMXH</c>) to a RollbackKit target id. Default: empty.</summary>
    public Dictionary<string, string> ServiceTargets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Incident priorities (by summary, for example <c>P1</c>) that request a rollback. Default: empty, meaning <c>P0</c> and <c>P1</c>.</summary>
    public List<string> RollbackPriorities { get; set; } = [];
}
