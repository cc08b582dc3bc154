using Microsoft.Extensions.Options;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Internal;

/// <summary>Validates <see cref="SlackOptions"/> at start, naming the key path of each problem.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Slack</c>.</param>
internal sealed class SlackOptionsValidator(string keyPath) : IValidateOptions<SlackOptions>
{
    private readonly string _p = keyPath + ":";

    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var errors = new List<string>();
        var bot = !string.IsNullOrWhiteSpace(options.BotToken);
        if (!bot && options.WebhookUrl is null)
        {
            errors.Add($"{_p}BotToken or {_p}WebhookUrl must be set.");
        }

        if (options.WebhookUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add($"{_p}WebhookUrl must be an absolute http(s) URL.");
        }

        if (!options.ApiBaseUrl.IsAbsoluteUri)
        {
            errors.Add($"{_p}ApiBaseUrl must be an absolute URL.");
        }

        if (bot && string.IsNullOrWhiteSpace(options.Channel) && options.SeverityChannels.Count == 0 && options.TargetChannels.Count == 0)
        {
            errors.Add($"{_p}Channel (or SeverityChannels / TargetChannels) must be set when BotToken is used.");
        }

        foreach (var key in options.SeverityChannels.Keys)
        {
            if (!RollbackSeverityExtensions.TryParse(key, out _))
            {
                errors.Add($"{_p}SeverityChannels:{key} is not a severity (use P0, P1, P2 or Critical, High, Medium).");
            }
        }

        if (options.MinimumMessageInterval < TimeSpan.Zero)
        {
            errors.Add($"{_p}MinimumMessageInterval must not be negative.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{_p}RequestTimeout must be positive.");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"{_p}MaxAttempts must be at least 1.");
        }

        if (options.SignatureTolerance <= TimeSpan.Zero)
        {
            errors.Add($"{_p}SignatureTolerance must be positive.");
        }

        for (var i = 0; i < options.Approvers.Count; i++)
        {
            var id = options.Approvers[i]?.Trim();
            if (string.IsNullOrEmpty(id) || id[0] is not ('U' or 'W' or 'S'))
            {
                errors.Add($"{_p}Approvers:{i} must be a Slack user id (U…/W…) or user group id (S…).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
