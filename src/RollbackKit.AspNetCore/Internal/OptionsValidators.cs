using Microsoft.Extensions.Options;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>Validates <see cref="RollbackKitWebhookOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Webhooks</c>.</param>
internal sealed class WebhookOptionsValidator(string keyPath) : IValidateOptions<RollbackKitWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, RollbackKitWebhookOptions options) =>
        options.MaxBodyBytes > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{keyPath}:MaxBodyBytes must be positive.");
}

/// <summary>Validates <see cref="PolicyBreachOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:PolicyBreach</c>.</param>
internal sealed class PolicyBreachOptionsValidator(string keyPath) : IValidateOptions<PolicyBreachOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyBreachOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.Secret))
        {
            errors.Add($"{keyPath}:Secret must be set.");
        }

        if (string.IsNullOrWhiteSpace(options.SignatureHeader))
        {
            errors.Add($"{keyPath}:SignatureHeader must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.TimestampHeader))
        {
            errors.Add($"{keyPath}:TimestampHeader must not be empty.");
        }

        if (options.SignatureTolerance <= TimeSpan.Zero || options.SignatureTolerance > TimeSpan.FromHours(1))
        {
            errors.Add($"{keyPath}:SignatureTolerance must be more than 0 and at most 01:00:00 (was '{options.SignatureTolerance}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
