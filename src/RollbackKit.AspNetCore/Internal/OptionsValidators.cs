using Microsoft.Extensions.Options;

namespace RollbackKit.AspNetCore.Internal;

internal sealed class WebhookOptionsValidator : IValidateOptions<RollbackKitWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, RollbackKitWebhookOptions options) =>
        options.MaxBodyBytes > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{RollbackKitWebhookOptions.SectionName}:MaxBodyBytes must be positive.");
}

internal sealed class PolicyBreachOptionsValidator : IValidateOptions<PolicyBreachOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyBreachOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.Secret))
        {
            errors.Add($"{PolicyBreachOptions.SectionName}:Secret must be set.");
        }

        if (string.IsNullOrWhiteSpace(options.SignatureHeader))
        {
            errors.Add($"{PolicyBreachOptions.SectionName}:SignatureHeader must not be empty.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
