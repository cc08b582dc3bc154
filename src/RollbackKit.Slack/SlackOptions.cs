namespace RollbackKit.Slack;

/// <summary>
/// Slack settings, bound from <c>RollbackKit:Slack</c>. Set <see cref="BotToken"/> (threads, channel routing, approvals)
/// or <see cref="WebhookUrl"/> (one incoming webhook, no threads).
/// </summary>
public sealed class SlackOptions
{
    /// <summary>The configuration section: <c>RollbackKit:Slack</c>.</summary>
    public const string SectionName = "RollbackKit:Slack";

    /// <summary>A bot token (<c>xoxb-…</c>) for <c>chat.postMessage</c>; a secret, never logged. Takes precedence over <see cref="WebhookUrl"/>. Default: none.</summary>
    public string? BotToken { get; set; }

    /// <summary>An incoming webhook URL, used when no <see cref="BotToken"/> is set; it contains a secret and is never logged. Default: none.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The Slack Web API base URL. Default: <c>https://slack.com/api/</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>The default channel (name like <c>#mrp-rollback</c> or id) in bot-token mode. Default: none.</summary>
    public string? Channel { get; set; }

    /// <summary>Channel per severity (keys <c>P0</c>/<c>P1</c>/<c>P2</c> or <c>Critical</c>/<c>High</c>/<c>Medium</c>); overrides <see cref="Channel"/>. Default: empty.</summary>
    public Dictionary<string, string> SeverityChannels { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Channel per target id; overrides <see cref="SeverityChannels"/> and <see cref="Channel"/>. Default: empty.</summary>
    public Dictionary<string, string> TargetChannels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Minimum time between two messages to one channel (Slack allows about one per second). Default: 1 second.</summary>
    public TimeSpan MinimumMessageInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one HTTP request to Slack. Default: 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per message, counting the first (429 and 5xx are retried). Default: 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The longest <c>Retry-After</c> honoured; a longer one is cut to this. Default: 30 seconds.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The app's signing secret, used to verify interactivity requests (approval buttons); never logged. Default: none (interactions are refused).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>How old an interactivity request's timestamp may be before it is refused as a replay. Default: 5 minutes.</summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Slack user ids (<c>U…</c>, <c>W…</c>) and user group ids (<c>S…</c>) allowed to approve or hold. Default: empty (nobody).</summary>
    public List<string> Approvers { get; set; } = [];

    /// <summary>How long the members of an approver user group are cached. Default: 5 minutes.</summary>
    public TimeSpan ApproverGroupCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Hosts that an interaction's <c>response_url</c> may point to. Default: empty, meaning <c>hooks.slack.com</c> only.</summary>
    public List<string> ResponseUrlHosts { get; set; } = [];
}
