using System.Globalization;
using Microsoft.Extensions.Options;

namespace RollbackKit.Health;

/// <summary>Settings of the RollbackKit health checks (<c>AddRollbackKit().AddHealthChecks(o =&gt; …)</c>).</summary>
public sealed class RollbackKitHealthCheckOptions
{
    /// <summary>
    /// The monitor is late, and <c>rollbackkit-monitor</c> unhealthy, when its last tick completed longer ago than this
    /// many evaluation intervals. At least 1. Default: 3.
    /// </summary>
    public int MonitorLateAfterIntervals { get; set; } = 3;

    /// <summary>How long <c>rollbackkit-leadership</c> waits for the leadership answer before it reports unhealthy. Default: 5 seconds.</summary>
    public TimeSpan LeadershipTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Validates <see cref="RollbackKitHealthCheckOptions"/> at start; messages name the setting and the value.</summary>
internal sealed class RollbackKitHealthCheckOptionsValidator : IValidateOptions<RollbackKitHealthCheckOptions>
{
    private const string Path = "RollbackKitHealthCheckOptions";

    public ValidateOptionsResult Validate(string? name, RollbackKitHealthCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MonitorLateAfterIntervals < 1)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Path}:MonitorLateAfterIntervals: must be at least 1 (was {options.MonitorLateAfterIntervals})."));
        }

        if (options.LeadershipTimeout <= TimeSpan.Zero)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Path}:LeadershipTimeout: must be greater than zero (was {options.LeadershipTimeout})."));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
