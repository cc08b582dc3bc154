using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.Slack.Internal;

/// <summary>Contributes the Slack bot token, signing secret and incoming webhook URL to the redactor.</summary>
internal sealed class SlackSecretValues(IOptions<SlackOptions> options) : ISecretValueSource
{
    public IEnumerable<string?> GetSecretValues()
    {
        var value = options.Value;
        return [value.BotToken, value.SigningSecret, value.WebhookUrl?.OriginalString, value.WebhookUrl?.AbsolutePath is { Length: > 1 } path ? path : null];
    }
}
