using Microsoft.Extensions.Options;
using RollbackKit.Workflow;

namespace RollbackKit.Dispatch;

/// <summary>
/// Admission settings: kill switch, point of no return, attempts, cooldown, deduplication and the P2 policy. Bound from the same
/// keys as before (<c>RollbackKit:Workflow:*</c> and <c>RollbackKit:Targets:*:AutoRollback</c>), derived from
/// <see cref="RollbackKitOptions"/> when RollbackKit is added.
/// </summary>
internal sealed class DispatchOptions
{
    /// <summary>Global kill switch at start: <see langword="false"/> turns automatic requests into alerts. Default: <see langword="true"/>.</summary>
    public bool AutoRollbackEnabled { get; set; } = true;

    /// <summary>Per-target automatic rollback as configured (<c>Targets:*:AutoRollback</c>); targets not listed default to enabled.</summary>
    public Dictionary<string, bool> TargetAutoRollback { get; } = new(StringComparer.Ordinal);

    /// <summary>Targets past their point of no return at start.</summary>
    public List<string> PointOfNoReturnTargets { get; } = [];

    /// <summary>Most automatic rollbacks of one target within <see cref="AttemptWindow"/>. Default: 3.</summary>
    public int MaxAttemptsPerTarget { get; set; } = 3;

    /// <summary>The window over which attempts count. Default: 24 hours.</summary>
    public TimeSpan AttemptWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After a rollback finished, automatic requests are refused for this long. Default: 10 minutes.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>What a P2 (medium) automatic request does. Default: <see cref="MediumSeverityPolicy.AlertOnly"/>.</summary>
    public MediumSeverityPolicy MediumSeverity { get; set; } = MediumSeverityPolicy.AlertOnly;

    /// <summary>How long a deduplication key is remembered from the time it was first seen. Default: 24 hours.</summary>
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The configuration path of the workflow settings, for validation messages.</summary>
    public string ConfigurationPath { get; set; } = "RollbackKit:Workflow";
}

/// <summary>Validates <see cref="DispatchOptions"/>; messages name the configuration key.</summary>
internal sealed class DispatchOptionsValidator : IValidateOptions<DispatchOptions>
{
    public ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var p = options.ConfigurationPath;
        if (options.DeduplicationWindow <= TimeSpan.Zero)
        {
            errors.Add($"{p}:DeduplicationWindow: must be greater than zero (was {options.DeduplicationWindow}).");
        }

        if (options.MaxAttemptsPerTarget < 1)
        {
            errors.Add($"{p}:MaxAttemptsPerTarget: must be at least 1 (was {options.MaxAttemptsPerTarget}).");
        }

        if (options.AttemptWindow < TimeSpan.Zero)
        {
            errors.Add($"{p}:AttemptWindow: must not be negative (was {options.AttemptWindow}).");
        }

        if (options.Cooldown < TimeSpan.Zero)
        {
            errors.Add($"{p}:Cooldown: must not be negative (was {options.Cooldown}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
