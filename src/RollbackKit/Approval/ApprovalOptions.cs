using Microsoft.Extensions.Options;

namespace RollbackKit.Approval;

/// <summary>
/// Severity gate settings, from <c>RollbackKit:Workflow:AcknowledgementTimeout</c> and <c>RollbackKit:Workflow:ApprovalTimeout</c>
/// (derived from <see cref="RollbackKitOptions"/>).
/// </summary>
internal sealed class ApprovalOptions
{
    /// <summary>P1: how long to wait for an acknowledgement before rolling back anyway and escalating. Default: 15 minutes.</summary>
    public TimeSpan AcknowledgementTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>P2 with approval required: how long to wait for an approval; on timeout the request is rejected. Default: 1 hour.</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The configuration path these settings come from, for validation messages.</summary>
    public string ConfigurationPath { get; set; } = "RollbackKit:Workflow";
}

/// <summary>Validates <see cref="ApprovalOptions"/>; messages name the configuration key.</summary>
internal sealed class ApprovalOptionsValidator : IValidateOptions<ApprovalOptions>
{
    public ValidateOptionsResult Validate(string? name, ApprovalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var p = options.ConfigurationPath;
        if (options.AcknowledgementTimeout < TimeSpan.Zero && options.AcknowledgementTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{p}:AcknowledgementTimeout: must not be negative (was {options.AcknowledgementTimeout}).");
        }

        if (options.ApprovalTimeout < TimeSpan.Zero && options.ApprovalTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{p}:ApprovalTimeout: must not be negative (was {options.ApprovalTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
