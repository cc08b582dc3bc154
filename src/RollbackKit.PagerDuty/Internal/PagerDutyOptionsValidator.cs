using Microsoft.Extensions.Options;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>Validates <see cref="PagerDutyOptions"/> at start, naming the key path of each problem.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:PagerDuty</c>.</param>
internal sealed class PagerDutyOptionsValidator(string keyPath) : IValidateOptions<PagerDutyOptions>
{
    private readonly string _p = keyPath + ":";

    public ValidateOptionsResult Validate(string? name, PagerDutyOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RoutingKey) && options.WebhookSecrets.TrueForAll(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{_p}RoutingKey (escalations) or {_p}WebhookSecrets (incident webhooks) must be set.");
        }

        if (!options.EventsApiBaseUrl.IsAbsoluteUri)
        {
            errors.Add($"{_p}EventsApiBaseUrl must be an absolute URL.");
        }

        if (options.MaxRetryAttempts < 0)
        {
            errors.Add($"{_p}MaxRetryAttempts must not be negative.");
        }

        if (options.RetryDelay <= TimeSpan.Zero)
        {
            errors.Add($"{_p}RetryDelay must be positive.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{_p}RequestTimeout must be positive.");
        }

        foreach (var (service, target) in options.ServiceTargets)
        {
            if (string.IsNullOrWhiteSpace(target))
            {
                errors.Add($"{_p}ServiceTargets:{service} must name a target id.");
            }
        }

        for (var i = 0; i < options.RollbackPriorities.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.RollbackPriorities[i]))
            {
                errors.Add($"{_p}RollbackPriorities:{i} must not be empty.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
