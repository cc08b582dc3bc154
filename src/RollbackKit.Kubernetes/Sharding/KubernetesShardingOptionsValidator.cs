using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RollbackKit.Kubernetes.Sharding;

/// <summary>Validates <see cref="KubernetesShardingOptions"/>; messages start with the real key path and name the value.</summary>
internal sealed partial class KubernetesShardingOptionsValidator(string keyPath) : IValidateOptions<KubernetesShardingOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesShardingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Namespace))
        {
            errors.Add($"{keyPath}:Namespace: must not be empty.");
        }

        if (string.IsNullOrEmpty(options.LeaseNamePrefix) || !LeaseNamePattern().IsMatch(options.LeaseNamePrefix) || options.LeaseNamePrefix.Length > 48)
        {
            errors.Add($"{keyPath}:LeaseNamePrefix: '{options.LeaseNamePrefix}' is not a valid lease name prefix (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 48 characters).");
        }

        if (string.IsNullOrWhiteSpace(options.HolderIdentity))
        {
            errors.Add($"{keyPath}:HolderIdentity: must not be empty.");
        }

        if (options.RetryPeriod <= TimeSpan.Zero)
        {
            errors.Add($"{keyPath}:RetryPeriod: must be greater than 0, got {Format(options.RetryPeriod)}.");
        }

        if (options.RenewDeadline <= options.RetryPeriod)
        {
            errors.Add($"{keyPath}:RenewDeadline: must be greater than RetryPeriod ({Format(options.RetryPeriod)}), got {Format(options.RenewDeadline)}.");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration <= options.RenewDeadline + options.RetryPeriod)
        {
            errors.Add($"{keyPath}:LeaseDuration: must be at least 1 s and greater than RenewDeadline + RetryPeriod ({Format(options.RenewDeadline + options.RetryPeriod)}), so an owner gives a shard up before another can take it; got {Format(options.LeaseDuration)}.");
        }

        if (options.ExpectedReplicas < 1)
        {
            errors.Add($"{keyPath}:ExpectedReplicas: must be at least 1, got {options.ExpectedReplicas.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.ShardSlack < 0)
        {
            errors.Add($"{keyPath}:ShardSlack: must not be negative, got {options.ShardSlack.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.MaxShardsPerReplica is < 1)
        {
            errors.Add($"{keyPath}:MaxShardsPerReplica: must be at least 1 when set, got {options.MaxShardsPerReplica.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LeaseNamePattern();
}
