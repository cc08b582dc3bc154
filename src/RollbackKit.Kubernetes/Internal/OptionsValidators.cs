using Microsoft.Extensions.Options;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>Validates <see cref="KubernetesOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Kubernetes</c>.</param>
internal sealed class KubernetesOptionsValidator(string keyPath) : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{keyPath}:RequestTimeout must be positive");
        }

        if (options.MaxRetries < 0)
        {
            errors.Add($"{keyPath}:MaxRetries must be >= 0");
        }

        if (options.ConflictRetries < 0)
        {
            errors.Add($"{keyPath}:ConflictRetries must be >= 0");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{keyPath}:RetryDelay must be >= 0");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <see cref="KubernetesLeaseLockOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Kubernetes:LeaseLock</c>.</param>
internal sealed class KubernetesLeaseLockOptionsValidator(string keyPath) : IValidateOptions<KubernetesLeaseLockOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesLeaseLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!(options.LeaseDuration > options.RenewInterval && options.RenewInterval > TimeSpan.Zero))
        {
            errors.Add($"{keyPath}: LeaseDuration must be greater than RenewInterval (> 0)");
        }

        if (string.IsNullOrWhiteSpace(options.HolderIdentity))
        {
            errors.Add($"{keyPath}:HolderIdentity is required");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <see cref="KubernetesLeaderElectionOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Kubernetes:LeaderElection</c>.</param>
internal sealed class KubernetesLeaderElectionOptionsValidator(string keyPath) : IValidateOptions<KubernetesLeaderElectionOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesLeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LeaseDuration > options.RetryPeriod && options.RetryPeriod > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{keyPath}: LeaseDuration must be greater than RetryPeriod (> 0)");
    }
}
