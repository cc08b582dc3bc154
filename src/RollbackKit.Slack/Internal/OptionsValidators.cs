using Microsoft.Extensions.Options;
using RollbackKit.Triggers;

namespace RollbackKit.Slack.Internal;

/// <summary>Validates <see cref="SlackOptions"/> at start, naming the key path of each problem.</summary>
internal sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    private const string P = SlackOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var errors = new List<string>();
        var bot = !string.IsNullOrWhiteSpace(options.BotToken);
        if (!bot && options.WebhookUrl is null)
        {
            errors.Add($"{P}BotToken or {P}WebhookUrl must be set.");
        }

        if (options.WebhookUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add($"{P}WebhookUrl must be an absolute http(s) URL.");
        }

        if (!options.ApiBaseUrl.IsAbsoluteUri)
        {
            errors.Add($"{P}ApiBaseUrl must be an absolute URL.");
        }

        if (bot && string.IsNullOrWhiteSpace(options.Channel) && options.SeverityChannels.Count == 0 && options.TargetChannels.Count == 0)
        {
            errors.Add($"{P}Channel (or SeverityChannels / TargetChannels) must be set when BotToken is used.");
        }

        foreach (var key in options.SeverityChannels.Keys)
        {
            if (!RollbackSeverityExtensions.TryParse(key, out _))
            {
                errors.Add($"{P}SeverityChannels:{key} is not a severity (use P0, P1, P2 or Critical, High, Medium).");
            }
        }

        if (options.MinimumMessageInterval < TimeSpan.Zero)
        {
            errors.Add($"{P}MinimumMessageInterval must not be negative.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{P}RequestTimeout must be positive.");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"{P}MaxAttempts must be at least 1.");
        }

        if (options.SignatureTolerance <= TimeSpan.Zero)
        {
            errors.Add($"{P}SignatureTolerance must be positive.");
        }

        for (var i = 0; i < options.Approvers.Count; i++)
        {
            var id = options.Approvers[i]?.Trim();
            if (string.IsNullOrEmpty(id) || id[0] is not ('U' or 'W' or 'S'))
            {
                errors.Add($"{P}Approvers:{i} must be a Slack user id (U…/W…) or user group id (S…).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <see cref="PagerDutyOptions"/> at start, naming the key path of each problem.</summary>
internal sealed class PagerDutyOptionsValidator : IValidateOptions<PagerDutyOptions>
{
    private const string P = PagerDutyOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, PagerDutyOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RoutingKey) && options.WebhookSecrets.TrueForAll(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{P}RoutingKey (escalations) or {P}WebhookSecrets (incident webhooks) must be set.");
        }

        if (!options.EventsApiBaseUrl.IsAbsoluteUri)
        {
            errors.Add($"{P}EventsApiBaseUrl must be an absolute URL.");
        }

        if (options.MaxRetryAttempts < 0)
        {
            errors.Add($"{P}MaxRetryAttempts must not be negative.");
        }

        if (options.RetryDelay <= TimeSpan.Zero)
        {
            errors.Add($"{P}RetryDelay must be positive.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{P}RequestTimeout must be positive.");
        }

        foreach (var (service, target) in options.ServiceTargets)
        {
            if (string.IsNullOrWhiteSpace(target))
            {
                errors.Add($"{P}ServiceTargets:{service} must name a target id.");
            }
        }

        for (var i = 0; i < options.RollbackPriorities.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.RollbackPriorities[i]))
            {
                errors.Add($"{P}RollbackPriorities:{i} must not be empty.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
