using Microsoft.Extensions.Options;

namespace RollbackKit.Notifications;

/// <summary>
/// Notifier fan-out settings. Bound from the same keys as before (<c>RollbackKit:Workflow:NotifierTimeout</c>,
/// <c>RollbackKit:Workflow:NotifierDrainTimeout</c>): derived from <see cref="RollbackKitOptions"/> when RollbackKit is added.
/// </summary>
internal sealed class NotificationOptions
{
    /// <summary>Time allowed to each notifier for one event. Default: 10 seconds.</summary>
    public TimeSpan NotifierTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At shutdown, how long in total notifiers may keep delivering queued events. Default: 5 seconds.</summary>
    public TimeSpan NotifierDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The configuration path these settings come from, for validation messages.</summary>
    public string ConfigurationPath { get; set; } = "RollbackKit:Workflow";
}

/// <summary>Validates <see cref="NotificationOptions"/>; messages name the configuration key.</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var p = options.ConfigurationPath;
        if (options.NotifierDrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"{p}:NotifierDrainTimeout: must not be negative (was {options.NotifierDrainTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
